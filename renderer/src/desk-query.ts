import { QueryClient, queryOptions, useMutation, useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import type { FileContent, MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import type { AppError } from '../../shared/result';
import { invoke } from './desk-api';

/** A failed desk call, carrying the result's error code for the UI to translate. */
export class DeskCallError extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 } },
});

async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const result = await invoke(method, input);
  if (!result.ok) throw new DeskCallError(result.error);
  return result.value;
}

/** Server data in the renderer: one query per method and input, keyed by both. */
export function useDeskQuery<M extends MethodName>(method: M, input: MethodInput<M>, options: Partial<UseQueryOptions<MethodOutput<M>, DeskCallError>> = {}) {
  return useQuery<MethodOutput<M>, DeskCallError>({ queryKey: [method, input], queryFn: () => call(method, input), ...options });
}

/**
 * The same query as options, to prefetch it (the review's next drafts) or read it outside a
 * component; `staleTime` says how long an answer is used without asking main again.
 */
export function deskQueryOptions<M extends MethodName>(method: M, input: MethodInput<M>, staleTime?: number) {
  return queryOptions<MethodOutput<M>, DeskCallError>({ queryKey: [method, input], queryFn: () => call(method, input), ...(staleTime === undefined ? {} : { staleTime }) });
}

/** A desk action; on success the named methods' queries are invalidated (refetched). */
export function useDeskMutation<M extends MethodName>(method: M, invalidates: MethodName[]) {
  const client = useQueryClient();
  return useMutation<MethodOutput<M>, DeskCallError, MethodInput<M>>({
    mutationFn: (input) => call(method, input),
    onSuccess: async () => {
      await Promise.all(invalidates.map((m) => client.invalidateQueries({ queryKey: [m] })));
    },
  });
}

/** Hands a file from main to the user: saved through the browser's download. */
export function saveFile(file: FileContent) {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export { call as deskCall };
