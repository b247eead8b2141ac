import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { deskQueryOptions } from '../../desk-query';

/** A prepared permit does not change while it is reviewed; the batch refuses one that did. */
const PREPARED_STALE_MS = 10 * 60_000;

export function preparedPermitQuery(applicationId: string) {
  return deskQueryOptions('signing.prepared', { applicationId }, PREPARED_STALE_MS);
}

/**
 * The draft on screen, and the next two (and the one before) fetched once it has arrived: "next"
 * then finds its bytes already in the renderer and only pdf.js's work is left.
 */
export function usePreparedPermits(ids: string[], index: number) {
  const client = useQueryClient();
  const id = ids[index] ?? '';
  const current = useQuery({ ...preparedPermitQuery(id), enabled: id !== '' });
  const arrived = current.isSuccess || current.isError;
  useEffect(() => {
    if (!arrived) return;
    for (const neighbour of [ids[index + 1], ids[index + 2], ids[index - 1]]) {
      if (neighbour) void client.prefetchQuery(preparedPermitQuery(neighbour));
    }
  }, [arrived, client, ids, index]);
  return current;
}
