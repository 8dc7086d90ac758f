// Benchmark servers run in child processes. With two cores or more, this
// process (the load generator or client) is pinned to core 0 and the servers
// to core 1, so neither steals the other's time slices.
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const pinned = availableParallelism() >= 2 && canPin();
function canPin() {
  try {
    execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `script` (a path relative to bench/) with `args` in a child process
 * that prints its port on stdout once listening and answers IPC messages.
 */
export async function startChildServer(script, ...args) {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const command = pinned ? ['taskset', '-c', '1', process.execPath] : [process.execPath];
  const child = spawn(command[0], [...command.slice(1), path, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [chunk] = await Promise.race([
    once(child.stdout, 'data'),
    once(child, 'exit').then(([code]) =>
      Promise.reject(new Error(`${script} ${args.join(' ')} exited with ${code} before listening`)),
    ),
  ]);
  /** Sends `message` and resolves with the child's next message; one question at a time. */
  const ask = async (message) => {
    child.send(message);
    const [answer] = await once(child, 'message');
    return answer;
  };
  const cpuMicroseconds = async () => {
    const usage = await ask('cpu-usage');
    return usage.user + usage.system;
  };
  return { port: Number(String(chunk).trim()), ask, cpuMicroseconds, stop: () => child.kill('SIGTERM') };
}
