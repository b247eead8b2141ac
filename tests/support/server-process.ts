import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN_SERVER = fileURLToPath(new URL('../../server/cli/run-server.ts', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** everything it wrote to stdout and stderr so far */
  output(): string;
  /** SIGTERM, and the exit code once it has exited */
  stop(): Promise<number | null>;
}

/** `npm run server` as its own process (tsx), on a free loopback port; resolves once it listens. */
export async function startServerProcess(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', RUN_SERVER, '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server process did not start within 60 s:\n${text}`)), 60_000);
    const look = () => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server process exited (${code}) before listening:\n${text}`));
    });
  });
  return {
    url,
    child,
    output: () => text,
    async stop() {
      if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
      return exited;
    },
  };
}
