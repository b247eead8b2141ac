import { describe, expect, it } from 'vitest';
import { judgeAction, signingAction, type ActionAttempt } from '../../shared/workflow-rules';
import { workflowProblems } from '../../shared/workflow';
import { METRO_WORKFLOW, PEKANBARU_WORKFLOW } from '../../server/seed/demo-configuration';

const base: ActionAttempt = {
  workflow: METRO_WORKFLOW,
  currentStage: 'pemeriksaan',
  expectedStage: 'pemeriksaan',
  role: 'penata_perizinan',
  actionId: 'teruskan',
  via: 'decision',
  requirementIds: ['a', 'b'],
  checklist: { a: true, b: true },
  reason: null,
  conformityFindings: 0,
  hasPermitNumber: false,
  hasVerifiedSignature: false,
};

const code = (attempt: Partial<ActionAttempt>) => {
  const verdict = judgeAction({ ...base, ...attempt });
  return verdict.ok ? 'ok' : verdict.code;
};

describe('the one workflow rule the desk and the server share', () => {
  it('holds both demo chains to the rules: every terminal stage has an outcome, each issuing chain signs and numbers', () => {
    expect(workflowProblems(METRO_WORKFLOW)).toEqual([]);
    expect(workflowProblems(PEKANBARU_WORKFLOW)).toEqual([]);
    expect(workflowProblems({ ...METRO_WORKFLOW, stages: METRO_WORKFLOW.stages.map((s) => ({ ...s, actions: s.actions.filter((a) => a.kind !== 'sign') })) })).toContain(
      'the chain issues permits but has no signing step',
    );
  });

  it('refuses the wrong role, an unknown action, a moved file, an incomplete checklist and a missing reason', () => {
    expect(code({})).toBe('ok');
    expect(code({ role: 'koordinator' })).toBe('FORBIDDEN_ROLE');
    expect(code({ actionId: 'setujui_draf' })).toBe('TRANSITION_NOT_ALLOWED');
    expect(code({ currentStage: 'verifikasi_draf' })).toBe('STAGE_CHANGED');
    expect(code({ checklist: { a: true } })).toBe('CHECKLIST_INCOMPLETE');
    expect(code({ actionId: 'kembalikan_ke_pemohon', reason: '  ' })).toBe('REASON_REQUIRED');
  });

  it('passes a file that differs from the national records (or has an expired STR) only with a note', () => {
    expect(code({ conformityFindings: 2 })).toBe('NOTE_REQUIRED');
    expect(code({ conformityFindings: 2, reason: 'Diperiksa dengan STR asli.' })).toBe('ok');
    // returning such a file needs its reason anyway, not a second note
    expect(code({ conformityFindings: 2, actionId: 'kembalikan_ke_pemohon', reason: 'STR kedaluwarsa' })).toBe('ok');
  });

  it('takes a signing step only by delivering a signed permit, and only once the file is numbered', () => {
    const atSigning = { currentStage: 'penandatanganan', expectedStage: 'penandatanganan', role: 'kepala_dinas' as const, actionId: 'tandatangani' };
    expect(code({ ...atSigning })).toBe('TRANSITION_NOT_ALLOWED');
    expect(code({ ...atSigning, via: 'signed_permit' })).toBe('PERMIT_NUMBER_MISSING');
    expect(code({ ...atSigning, via: 'signed_permit', hasPermitNumber: true })).toBe('ok');
    expect(code({ ...atSigning, actionId: 'tolak', via: 'signed_permit', reason: 'x' })).toBe('TRANSITION_NOT_ALLOWED');
    expect(signingAction(METRO_WORKFLOW, 'penandatanganan')?.id).toBe('tandatangani');
    expect(signingAction(PEKANBARU_WORKFLOW, 'penandatanganan')?.id).toBe('tandatangani');
    expect(signingAction(PEKANBARU_WORKFLOW, 'pencatatan_register')).toBeUndefined();
  });

  it('lets no plain decision lead to an issued stage before the server has verified the signature', () => {
    const register = { workflow: PEKANBARU_WORKFLOW, currentStage: 'pencatatan_register', expectedStage: 'pencatatan_register', role: 'back_office' as const, actionId: 'catat_register', hasPermitNumber: true };
    expect(code(register)).toBe('TRANSITION_NOT_ALLOWED');
    expect(code({ ...register, hasVerifiedSignature: true })).toBe('ok');
  });

  it('numbers Metro files when the koordinator approves the draft and Pekanbaru files when back office prints it', () => {
    const numbering = (w: typeof METRO_WORKFLOW) => w.stages.flatMap((s) => s.actions.filter((a) => a.reservesPermitNumber).map((a) => `${s.role}:${a.id}`));
    expect(numbering(METRO_WORKFLOW)).toEqual(['koordinator:setujui_draf']);
    expect(numbering(PEKANBARU_WORKFLOW)).toEqual(['back_office:cetak_draf']);
  });
});
