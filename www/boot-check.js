// Start-up checks that must work when the page's modules cannot run at all. This is a classic script
// (not a module) from the page's own origin, so it runs where module scripts are refused — a page
// opened from file:// — and under the page's Content-Security-Policy. It says what went wrong in the
// page's alert and names the command that fixes it, instead of leaving "Loading the network…" up.
(function () {
  'use strict';

  function showProblem(html) {
    var show = function () {
      var box = document.getElementById('error');
      if (!box) return;
      box.innerHTML = html;
      box.hidden = false;
      document.body.dataset.state = 'error';
      var loading = document.getElementById('loading');
      if (loading) loading.hidden = true;
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
    else show();
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }

  if (location.protocol === 'file:') {
    // Browsers refuse module scripts and fetch() from files opened directly (Chromium) or treat every
    // file as its own origin (Firefox), so WebAssembly and the digits cannot load.
    showProblem(
      'Inkling has to be served by a web server: browsers do not run its WebAssembly from a file opened ' +
      'directly. In the repository, run <code>python3 -m http.server 8000</code> and open ' +
      '<a href="http://localhost:8000/www/index.html">http://localhost:8000/www/index.html</a> ' +
      '— or run <code>scripts/demo.sh</code>, which builds everything and prints the address to open.');
    return;
  }

  if (typeof WebAssembly !== 'object' || !('noModule' in document.createElement('script'))) {
    showProblem('This browser cannot run Inkling: it needs JavaScript modules and WebAssembly ' +
      '(a current Firefox, Chrome, Edge or Safari).');
    return;
  }

  // A module script whose graph fails to load (a missing file among its imports) fires "error" on its
  // <script> element, which does not bubble: listen in the capture phase. The only import that the
  // build makes rather than the repository holds is the chart library, so look for it first.
  window.addEventListener('error', function (event) {
    var script = event.target;
    if (!script || script.tagName !== 'SCRIPT' || script.type !== 'module') return;
    var chartLibrary = new URL('vendor/uPlot.esm.js', document.baseURI);
    fetch(chartLibrary, { method: 'HEAD', cache: 'no-store' }).then(function (response) {
      return response.ok;
    }, function () {
      return false;
    }).then(function (chartsPresent) {
      showProblem(chartsPresent
        ? 'The page\'s scripts could not be loaded (' + escapeHtml(script.src) + '); the browser\'s console says which ' +
          'file failed. Rebuild the site with <code>scripts/build.sh</code> and reload.'
        : 'The chart library is missing (<code>www/vendor/uPlot.esm.js</code>). Run ' +
          '<code>scripts/build.sh</code> — it copies uPlot from the npm packages into <code>www/vendor/</code> — ' +
          'and reload.');
    });
  }, true);
})();
