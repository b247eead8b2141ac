import { useReducer, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WorkflowAction } from '../../../shared/workflow';
import type { User } from '../../../shared/sync-protocol';
import { invoke } from '../desk-api';
import { useErrorText } from '../use-error-text';
import { conformityFindings } from '../../../shared/conformity';
import { ConformityTable } from '../components/conformity-table';
import { SigningPanel } from '../components/signing-panel';
import { KartuKendali } from '../components/kartu-kendali';
import { ApplicantPanel } from './application/applicant-panel';
import { ChecklistPanel } from './application/checklist-panel';
import { DecisionPanel } from './application/decision-panel';
import { clearDraft, readDraft, setDraftTick } from './application/decision-drafts';
import { DocumentsPanel, fileTabs, tabKey } from './application/documents-panel';
import { FileHeader } from './application/file-header';
import { useFileDetail } from './application/use-file-detail';
import { useFileShortcuts } from './application/use-file-shortcuts';

interface ApplicationScreenProps {
  applicationId: string;
  /** the queue's order, for moving to the next or previous file without going back */
  neighbours: string[];
  onNavigate(applicationId: string): void;
  user: User;
  onBack(notice: string | null): void;
  onChanged(): void;
}

/**
 * One file: its header (take/release, previous/next), the applicant, the conformity check, the
 * requirement checklist, the decision, the kartu kendali, and its documents in the viewer. The
 * panels live in ./application/; this screen holds what they share (the file, the checklist
 * being ticked, the open reason form and tab) and the keyboard shortcuts. What the official
 * ticks and types is the file's draft (./application/decision-drafts), kept until it is sent.
 */
export function ApplicationScreen({ applicationId, neighbours, onNavigate, user, onBack, onChanged }: ApplicationScreenProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { detail, error: loadError, reload } = useFileDetail(applicationId);
  const [error, setError] = useState<string | null>(null);
  const [decisionError, setDecisionError] = useState<string | null>(null);
  const draftKey = { userId: user.id, applicationId };
  // the draft lives outside React; a tick re-renders the screen to show it
  const [, ticked] = useReducer((n: number) => n + 1, 0);
  // which tab is open, by key; the tab itself is derived from the file's documents
  const [openTab, setOpenTab] = useState<string | null>(null);
  const [reasonFor, setReasonFor] = useState<WorkflowAction | null>(null);
  const [reasonKey, setReasonKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [signing, setSigning] = useState(false);

  const position = neighbours.indexOf(applicationId);
  const go = (step: 1 | -1) => {
    const target = neighbours[position + step];
    if (position >= 0 && target) onNavigate(target);
  };

  const application = detail?.application ?? null;
  const actions = detail?.actions ?? [];
  const checklistEditable = actions.some((a) => a.requires.includes('checklist_complete'));
  // the official's own ticks over the file's checklist while the file is at their step (even
  // when a refusal has just shown it taken by a colleague: what they ticked stays in sight)
  const draftTicks = detail?.stage.role === user.role ? readDraft(draftKey).ticks : {};
  const checklist = { ...application?.checklist, ...draftTicks };
  const checklistComplete = detail ? detail.permitType.requirements.every((r) => checklist[r.id] === true) : false;
  const tabs = detail ? fileTabs(detail, t) : [];
  const tab = tabs.find((tb) => tabKey(tb) === openTab) ?? tabs[0] ?? null;
  const findings = detail && application ? conformityFindings(application.applicant, detail.references, detail.today) : [];
  // the primary action, by kind: pass the file on, or sign it (the PKCS#12 path, never a plain decision)
  const forward = actions.find((a) => a.kind === 'forward' || a.kind === 'sign');
  const back = actions.find((a) => a.kind === 'return');
  const claimedBy = application?.claimedBy ?? null;
  const mine = claimedBy?.userId === user.id;
  const canClaim = detail !== null && detail.stage.role === user.role && !detail.pending;

  const decide = async (action: WorkflowAction, withReason: string | null) => {
    if (!application) return;
    setBusy(true);
    setError(null);
    setDecisionError(null);
    const result = await invoke('review.decide', {
      applicationId,
      action: action.id,
      reason: withReason,
      // the ticks go with the decision while they are the official's: on a retry after a refusal too
      checklist: checklistEditable || Object.keys(draftTicks).length > 0 ? checklist : null,
    });
    setBusy(false);
    if (result.ok) {
      clearDraft(draftKey);
      onChanged();
      onBack(`${application.registrationNumber}: ${t(`actions.${action.id}`)}. ${result.value.delivered ? t('application.delivered') : t('application.deliveredQueued')}`);
      return;
    }
    // the form stays open with what was typed and ticked; the refusal is said next to its button
    const refusal = errorText(result.error);
    onChanged();
    // the server knows where the file really is; if it has left this official's work, say why back at the queue
    const current = await invoke('application.get', { applicationId });
    if (!current.ok && current.error.code === 'NOT_FOUND') {
      onBack(`${application.registrationNumber}: ${refusal}`);
      return;
    }
    await reload();
    setDecisionError(refusal);
  };

  const claim = async (take: boolean) => {
    setBusy(true);
    setError(null);
    const result = await invoke('application.claim', { applicationId, take });
    setBusy(false);
    if (!result.ok) setError(errorText(result.error));
    await reload();
    onChanged();
  };

  const onAction = (action: WorkflowAction) => {
    setDecisionError(null);
    if (action.kind === 'sign') {
      setSigning(true);
      return;
    }
    // a file whose data does not match the national records is passed on only with a note; any
    // other step forward on such a file (the koordinator's approval) asks to be confirmed
    if (action.requires.includes('reason') || (action.kind === 'forward' && findings.length > 0)) {
      setReasonFor(action);
      setReasonKey((k) => k + 1);
    } else void decide(action, null);
  };

  const closeReason = () => {
    setReasonFor(null);
    setDecisionError(null);
  };

  useFileShortcuts(
    detail
      ? {
          escape: () => (reasonFor ? closeReason() : onBack(null)),
          busy,
          next: () => go(1),
          previous: () => go(-1),
          pass: forward && !(forward.requires.includes('checklist_complete') && !checklistComplete) ? () => onAction(forward) : undefined,
          giveBack: back ? () => onAction(back) : undefined,
          take: canClaim && !claimedBy ? () => void claim(true) : undefined,
          release: mine ? () => void claim(false) : undefined,
          nextDocument:
            tabs.length > 0
              ? () => {
                  const current = tab ? tabs.indexOf(tab) : -1;
                  setOpenTab(tabKey(tabs[(current + 1) % tabs.length]!));
                }
              : undefined,
        }
      : null,
  );

  if (!detail || !application) {
    return loadError ? (
      <p className="alert error" role="alert">
        {errorText(loadError)}
      </p>
    ) : null;
  }

  const { permitType } = detail;
  const shownError = error ?? (loadError ? errorText(loadError) : null);

  return (
    <section className="application-screen" aria-labelledby="application-title">
      <div className="application-column">
        <FileHeader
          detail={detail}
          canClaim={canClaim}
          mine={mine}
          busy={busy}
          hasPrevious={position > 0}
          hasNext={!(position < 0 || position >= neighbours.length - 1)}
          onBack={() => onBack(null)}
          onPrevious={() => go(-1)}
          onNext={() => go(1)}
          onClaim={(take) => void claim(take)}
        />
        {shownError && (
          <p className="alert error" role="alert">
            {shownError}
          </p>
        )}
        {detail.pending && (
          <p className="alert info" role="status">
            {t('application.pendingNote')}
          </p>
        )}

        <ApplicantPanel applicant={application.applicant} />

        <ConformityTable applicant={application.applicant} references={detail.references} today={detail.today} />

        <ChecklistPanel
          requirements={permitType.requirements}
          checklist={checklist}
          editable={checklistEditable}
          busy={busy}
          onChange={(id, met) => {
            setDraftTick(draftKey, id, met);
            ticked();
          }}
        />

        {signing && (
          <SigningPanel
            items={[{ id: application.id, registrationNumber: application.registrationNumber, applicantName: application.applicant.fullName, permitTypeName: permitType.name }]}
            onClose={(summary) => {
              setSigning(false);
              if (summary) {
                onChanged();
                onBack(`${application.registrationNumber}: ${summary}`);
              }
            }}
          />
        )}
        <DecisionPanel
          detail={detail}
          checklist={checklist}
          checklistComplete={checklistComplete}
          findingsCount={findings.length}
          draftKey={draftKey}
          reasonFor={reasonFor}
          reasonKey={reasonKey}
          forward={forward}
          back={back}
          busy={busy}
          signing={signing}
          error={decisionError}
          onAction={onAction}
          onCancelReason={closeReason}
          onDecide={(action, reason) => void decide(action, reason)}
        />

        <KartuKendali events={detail.events} applicationId={detail.application.id} claimedBy={claimedBy} />
      </div>

      <DocumentsPanel applicationId={applicationId} numberingStep={detail.numberingStage} tabs={tabs} tab={tab} onOpenTab={setOpenTab} />
    </section>
  );
}
