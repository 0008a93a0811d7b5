import * as tf from '@tensorflow/tfjs';

/** One weight tensor as JSON: its shape and its float32 values in base64. */
export interface SavedWeight {
  readonly shape: readonly number[];
  readonly base64: string;
}

/** A layers model's weights as JSON, stored with the model version they belong to. */
export function saveLayerWeights(model: tf.LayersModel): SavedWeight[] {
  return model.getWeights().map((w) => ({
    shape: w.shape,
    base64: encodeFloat32(w.dataSync() as Float32Array),
  }));
}

/**
 * Puts saved weights into a freshly built model of the same architecture, checking that every
 * tensor's shape matches: a mismatch means the weights were saved for another shape.
 */
export function loadLayerWeights(model: tf.LayersModel, saved: readonly SavedWeight[], what: string): void {
  const expected = model.getWeights();
  if (expected.length !== saved.length) {
    throw new Error(`saved ${what} has ${saved.length} weight tensors, expected ${expected.length}`);
  }
  const tensors = saved.map((w, i) => {
    const values = decodeFloat32(w.base64);
    const shape = [...w.shape];
    if (!tf.util.arraysEqual(shape, (expected[i] as tf.Tensor).shape)) {
      throw new Error(
        `${what} weight ${i} has shape [${shape.join(', ')}], expected [${expected[i]?.shape.join(', ')}]`,
      );
    }
    return tf.tensor(values, shape, 'float32');
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Lets pending I/O run between pieces of training, so a service keeps answering. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function decodeFloat32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength % 4 !== 0) throw new Error('weights are not float32 data');
  // Copy into an aligned buffer: a Buffer's byteOffset need not be a multiple of 4.
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return new Float32Array(aligned.buffer);
}
