/**
 * A real TCP proxy between a client and the API that can lose answers: told
 * to cut the next answers, it lets the request through, waits for the first
 * bytes of the server's answer (so the server has finished its work and
 * committed), then closes the client's connection without passing them on.
 * `onCut` runs at that instant, e.g. to SIGKILL the server.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`, the proxy's address for the client. */
  readonly url: string;
  /** How many answers were cut so far. */
  readonly cut: number;
  /** Cuts the next `count` answers, calling `onCut` as each is cut. */
  cutNextAnswers(count: number, onCut?: () => void): void;
  /** Sends new connections to another server (after a restart on another port). */
  setUpstream(port: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  let upstream = upstreamPort;
  let toCut = 0;
  let onCut: (() => void) | undefined;
  let cut = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const target = connect(upstream, '127.0.0.1');
    sockets.add(client).add(target);
    const closeBoth = () => {
      client.destroy();
      target.destroy();
    };
    client.on('close', () => sockets.delete(client) && target.destroy());
    target.on('close', () => sockets.delete(target) && client.end());
    client.on('error', closeBoth);
    target.on('error', closeBoth);
    client.pipe(target);
    target.on('data', (chunk: Buffer) => {
      if (toCut > 0) {
        toCut -= 1;
        cut += 1;
        onCut?.();
        closeBoth();
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get cut() {
      return cut;
    },
    cutNextAnswers(count, callback) {
      toCut = count;
      onCut = callback;
    },
    setUpstream(port) {
      upstream = port;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
