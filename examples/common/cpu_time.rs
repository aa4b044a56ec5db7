//! CPU time of the whole process, for figures that depend less than wall-clock time on how busy a
//! shared machine is. From `clock_gettime(CLOCK_PROCESS_CPUTIME_ID)` (nanoseconds; `/proc/…/schedstat`,
//! which benches/train_step.rs reads, is all zeros on kernels without scheduler statistics).

/// Seconds of CPU time the process has used so far, on all its threads.
pub fn process_cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec to write to, and the clock id is a constant every Linux has.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}
