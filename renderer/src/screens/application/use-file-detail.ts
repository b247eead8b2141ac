import { useCallback, useEffect, useState } from 'react';
import type { ApplicationDetail } from '../../../../shared/contract';
import type { AppError, Result } from '../../../../shared/result';
import { invoke } from '../../desk-api';

type DetailState = { detail: ApplicationDetail | null; error: AppError | null; loaded: number };

const applied = (result: Result<ApplicationDetail>) => (s: DetailState): DetailState =>
  result.ok ? { detail: result.value, error: null, loaded: s.loaded + 1 } : { ...s, error: result.error };

/**
 * The open file as main has it, loaded when the file changes and again on `reload()` (after a
 * claim or a refused decision). `loaded` counts loads. The previous file stays shown until the
 * next one arrives.
 */
export function useFileDetail(applicationId: string) {
  const [state, setState] = useState<DetailState>({ detail: null, error: null, loaded: 0 });

  useEffect(() => {
    let current = true;
    void invoke('application.get', { applicationId }).then((result) => {
      if (current) setState(applied(result));
    });
    return () => {
      current = false;
    };
  }, [applicationId]);

  const reload = useCallback(async () => {
    const result = await invoke('application.get', { applicationId });
    setState(applied(result));
  }, [applicationId]);

  return { ...state, reload };
}
