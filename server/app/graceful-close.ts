import type { FastifyInstance } from 'fastify';

/**
 * Stops the server the way an operator's SIGTERM expects: no new connections, requests under
 * way answered, idle keep-alive connections closed; a request still running after `graceMs`
 * (a client that never reads, a call that hangs) has its connection cut so shutdown finishes.
 * Answers whether everything finished within the grace period.
 */
export async function closeGracefully(app: FastifyInstance, graceMs: number): Promise<boolean> {
  let inTime = true;
  const deadline = setTimeout(() => {
    inTime = false;
    app.server.closeAllConnections();
  }, graceMs);
  // Node closes the connections idle at the moment close() is called, once; a keep-alive
  // connection whose response was still being written becomes idle later and would hold the
  // server open until its keep-alive timeout (72 s in Fastify). Close those as they go idle.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
    clearInterval(sweep);
  }
  return inTime;
}
