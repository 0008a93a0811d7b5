import { parentPort } from 'node:worker_threads';
import { StageOne, type StageOneRequest } from './stage-one.js';

// Stage 1 on a thread of its own: requests in, answers out, in order (see `StageOne`). A request
// that throws fails the worker, and with it every lane it holds (the consumer restarts).
const port = parentPort;
if (!port) throw new Error('stage-one.worker runs as a worker thread (see StageOneChannel)');
const stageOne = new StageOne();
port.on('message', (request: StageOneRequest) => {
  const answer = stageOne.handle(request);
  if (answer !== undefined) port.postMessage(answer);
});
