// Reads a ConvNet's model file (version 2, laid out in src/model_file.rs) in the benchmark page: our
// ConvNet's weights reach JavaScript through exportModel, which the page has anyway, rather than
// through a binding of their own that the wasm file would have to carry.

const MAGIC = 'INKMODEL';
const MAP_VERSION = 2;

/** A reader of postcard's encoding (LEB128 varints, little-endian f32), as src/model_file.rs writes it. */
function postcardReader(bytes, offset) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = offset;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length) throw new Error('the model file ends early');
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const string = () => {
    const length = varint();
    const text = new TextDecoder().decode(bytes.subarray(at, at + length));
    at += length;
    return text;
  };
  const floats = () => {
    const values = new Float32Array(varint());
    for (let i = 0; i < values.length; i++, at += 4) values[i] = view.getFloat32(at, true);
    return values;
  };
  return { varint, string, floats, end: () => at };
}

/**
 * A version 2 model file's record: {architecture, input: [channels, height, width], classes, layers},
 * layers being, per layer with parameters (convolutions first), {weights, biases} in our layout.
 */
export function readModelFile(bytes) {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  const version = bytes[8] | (bytes[9] << 8);
  if (magic !== MAGIC || version !== MAP_VERSION) throw new Error(`not a version ${MAP_VERSION} model file (${magic}, version ${version})`);
  const read = postcardReader(bytes, 10);
  const architecture = read.string();
  const input = [read.varint(), read.varint(), read.varint()];
  const classes = read.varint();
  const layers = Array.from({ length: read.varint() }, () => ({ weights: read.floats(), biases: read.floats() }));
  read.string(); // the description
  if (read.end() !== bytes.length) throw new Error('the model file has bytes after its description');
  return { architecture, input, classes, layers };
}
