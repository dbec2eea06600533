import type { IncomingMessage, ServerResponse } from 'node:http';

type Listener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * One request must never stop local mode: runs a request listener so that neither a thrown exception nor
 * a rejected promise reaches the process. The request gets a 500, what API Gateway answers when the
 * integration fails, and the error goes to the console with the request line.
 */
export function guarded(label: string, listener: Listener): (req: IncomingMessage, res: ServerResponse) => void {
  return function guardedRequest(req, res) {
    const fail = (err: unknown) => {
      console.error(`[${label}] ${req.method ?? 'GET'} ${req.url ?? '/'} failed:`, err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
    };
    try {
      const result = listener(req, res);
      if (result) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}
