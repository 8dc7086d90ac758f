// For the check-run part: a server that answers every request with an error status and a JSON body that never
// ends, as fast as the client reads it. Prints its port on stdout once listening.
import { createServer } from 'node:net';

const chunk = Buffer.alloc(64 * 1024, 'x');
const server = createServer((socket) => {
  socket.on('error', () => undefined);
  socket.once('data', () => {
    socket.write('HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const pump = () => {
      while (!socket.destroyed && socket.write(frame));
    };
    socket.on('drain', pump);
    pump();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
