import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** TensorFlow.js backends in order of preference: native libtensorflow, WebAssembly, plain JavaScript. */
export const TFJS_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackendName = (typeof TFJS_BACKENDS)[number];
export type TfjsBackendPreference = TfjsBackendName | 'auto';

export interface TfjsBackendAttempt {
  readonly backend: TfjsBackendName;
  readonly ok: boolean;
  /** Why the backend could not be used. */
  readonly error?: string;
}

export interface TfjsBackendInfo {
  /** The backend every tensor of this process runs on. */
  readonly backend: TfjsBackendName;
  readonly preference: TfjsBackendPreference;
  /** Every backend tried, in order, with the reason each one that failed did. */
  readonly attempts: readonly TfjsBackendAttempt[];
  readonly tfjsVersion: string;
}

// A variable, not a literal: @tensorflow/tfjs-node is an optional dependency that is often
// absent (it downloads libtensorflow at install time), and TypeScript must not require it.
const TFJS_NODE_PACKAGE: string = '@tensorflow/tfjs-node';

let selection: Promise<TfjsBackendInfo> | undefined;

/**
 * Picks the TensorFlow.js backend once per process (tfjs holds one global engine): from the
 * preference on, tfjs-node where it is installed, else WASM, else the pure-JS CPU backend.
 * A later call returns the first call's choice whatever its preference.
 */
export function selectTfjsBackend(preference: TfjsBackendPreference = 'auto'): Promise<TfjsBackendInfo> {
  selection ??= chooseBackend(preference);
  return selection;
}

async function chooseBackend(preference: TfjsBackendPreference): Promise<TfjsBackendInfo> {
  const start = preference === 'auto' ? 0 : TFJS_BACKENDS.indexOf(preference);
  const attempts: TfjsBackendAttempt[] = [];
  for (const backend of TFJS_BACKENDS.slice(start)) {
    try {
      await activateTfjsBackend(backend);
      attempts.push({ backend, ok: true });
      return { backend, preference, attempts, tfjsVersion: tf.version.tfjs };
    } catch (error) {
      attempts.push({ backend, ok: false, error: firstLine(error) });
    }
  }
  throw new Error(
    `no TensorFlow.js backend could start: ${attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')}`,
  );
}

/**
 * Makes `backend` the engine's backend, loading it first; throws when it cannot run here.
 * Services go through selectTfjsBackend; the forecast bench calls this to time each backend.
 */
export async function activateTfjsBackend(backend: TfjsBackendName): Promise<void> {
  // PROD skips tfjs' debug checks and its console advice to install tfjs-node.
  tf.env().set('PROD', true);
  switch (backend) {
    case 'tensorflow':
      // Importing tfjs-node registers its 'tensorflow' backend with the shared engine.
      await import(TFJS_NODE_PACKAGE);
      break;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries are read from disk next to the package's entry point.
      const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${dirname(entry)}/`);
      break;
    }
    case 'cpu':
      break;
    default: {
      const unknown: never = backend;
      throw new Error(`unknown backend ${String(unknown)}`);
    }
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') refused`);
  await tf.ready();
  // A tiny op proves the backend computes, not just that it registered.
  const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
  if (probe !== 3) throw new Error(`the ${backend} backend computed 1 + 2 = ${String(probe)}`);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 300) ?? 'unknown error';
}
