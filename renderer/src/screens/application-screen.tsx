import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApplicationDetail } from '../../../shared/contract';
import type { WorkflowAction } from '../../../shared/workflow';
import type { User } from '../../../shared/sync-protocol';
import { invoke } from '../desk-api';
import { formatDate } from '../format';
import { useErrorText } from '../use-error-text';
import { conformityFindings } from '../../../shared/conformity';
import { isConformityPass } from '../../../shared/workflow-rules';
import { ConformityTable } from '../components/conformity-table';
import { SigningPanel } from '../components/signing-panel';
import { DeadlineBadge } from '../components/deadline-badge';
import { KartuKendali } from '../components/kartu-kendali';
import { PdfViewer } from '../components/pdf-viewer';
import { ReturnReasonForm } from '../components/return-reason-form';
import { StageTimeBadge } from '../components/stage-time-badge';

interface ApplicationScreenProps {
  applicationId: string;
  /** the queue's order, for moving to the next or previous file without going back */
  neighbours: string[];
  onNavigate(applicationId: string): void;
  user: User;
  onBack(notice: string | null): void;
  onChanged(): void;
}

type Tab = { kind: 'document'; id: string; label: string } | { kind: 'draft'; label: string };

const tabKey = (tb: Tab) => (tb.kind === 'draft' ? 'draft' : tb.id);

export function ApplicationScreen({ applicationId, neighbours, onNavigate, user, onBack, onChanged }: ApplicationScreenProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [detail, setDetail] = useState<ApplicationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checklist, setChecklist] = useState<Record<string, boolean>>({});
  // which tab is open, by key; the tab itself is derived from the file's documents
  const [openTab, setOpenTab] = useState<string | null>(null);
  const [reasonFor, setReasonFor] = useState<WorkflowAction | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [draftNumber, setDraftNumber] = useState<string | null>(null);
  const [signing, setSigning] = useState(false);

  const reload = useCallback(async () => {
    const result = await invoke('application.get', { applicationId });
    if (!result.ok) {
      setError(errorText(result.error));
      return;
    }
    const d = result.value;
    setDetail(d);
    setChecklist(d.application.checklist);
  }, [applicationId, errorText, t]);

  useEffect(() => {
    void reload();
    // reload only when the file changes
  }, [applicationId]);

  const shortcuts = useRef<(event: KeyboardEvent) => void>(() => undefined);
  useEffect(() => {
    const listener = (event: KeyboardEvent) => shortcuts.current(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  if (!detail) {
    return error ? (
      <p className="alert error" role="alert">
        {error}
      </p>
    ) : null;
  }

  const { application, permitType, actions } = detail;
  const checklistEditable = actions.some((a) => a.requires.includes('checklist_complete'));
  const checklistComplete = permitType.requirements.every((r) => checklist[r.id] === true);
  const showsDraft = application.permitNumber !== null || detail.stage.actions.some((a) => a.reservesPermitNumber);
  const numberingStep = detail.numberingStage;
  const tabs: Tab[] = [
    ...(showsDraft ? [{ kind: 'draft' as const, label: t('application.draft') }] : []),
    ...detail.documents.map((d) => ({ kind: 'document' as const, id: d.id, label: t(`documentKinds.${d.kind}`, { defaultValue: d.fileName }) })),
  ];
  const tab = tabs.find((tb) => tabKey(tb) === openTab) ?? tabs[0] ?? null;

  const decide = async (action: WorkflowAction, withReason: string | null) => {
    setBusy(true);
    setError(null);
    const result = await invoke('review.decide', {
      applicationId,
      action: action.id,
      reason: withReason,
      checklist: checklistEditable ? checklist : null,
    });
    setBusy(false);
    if (result.ok) {
      onChanged();
      onBack(`${application.registrationNumber}: ${t(`actions.${action.id}`)}. ${result.value.delivered ? t('application.delivered') : t('application.deliveredQueued')}`);
      return;
    }
    const refusal = errorText(result.error);
    setReasonFor(null);
    onChanged();
    // the server knows where the file really is; if it has left this official's work, say why back at the queue
    const current = await invoke('application.get', { applicationId });
    if (!current.ok && current.error.code === 'NOT_FOUND') {
      onBack(`${application.registrationNumber}: ${refusal}`);
      return;
    }
    await reload();
    setError(refusal);
  };

  const position = neighbours.indexOf(applicationId);
  const go = (step: 1 | -1) => {
    const target = neighbours[position + step];
    if (position >= 0 && target) onNavigate(target);
  };
  // the primary action, by kind: pass the file on, or sign it (the PKCS#12 path, never a plain decision)
  const forward = actions.find((a) => a.kind === 'forward' || a.kind === 'sign');
  const back = actions.find((a) => a.kind === 'return');
  shortcuts.current = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      if (reasonFor) setReasonFor(null);
      else onBack(null);
      return;
    }
    if (!event.altKey || busy) return;
    const key = event.key.toLowerCase();
    if (key === 'arrowdown' || key === 'n') go(1);
    else if (key === 'arrowup' || key === 'p') go(-1);
    else if (key === 't' && forward && !(forward.requires.includes('checklist_complete') && !checklistComplete)) onAction(forward);
    else if (key === 'k' && back) onAction(back);
    else if (key === 'a' && canClaim && !claimedBy) void claim(true);
    else if (key === 'l' && mine) void claim(false);
    else if (key === 'd' && tabs.length > 0) {
      const current = tab ? tabs.indexOf(tab) : -1;
      setOpenTab(tabKey(tabs[(current + 1) % tabs.length]!));
    } else return;
    event.preventDefault();
  };

  const claimedBy = application.claimedBy;
  const mine = claimedBy?.userId === user.id;
  const canClaim = detail.stage.role === user.role && !detail.pending;
  const claim = async (take: boolean) => {
    setBusy(true);
    setError(null);
    const result = await invoke('application.claim', { applicationId, take });
    setBusy(false);
    if (!result.ok) setError(errorText(result.error));
    await reload();
    onChanged();
  };

  const findings = conformityFindings(application.applicant, detail.references, detail.today);
  const onAction = (action: WorkflowAction) => {
    if (action.kind === 'sign') {
      setSigning(true);
      return;
    }
    // a file whose data does not match the national records is passed on only with a note
    if (action.requires.includes('reason') || (isConformityPass(action) && findings.length > 0)) {
      setReasonFor(action);
      setReason('');
    } else void decide(action, null);
  };

  return (
    <section className="application-screen" aria-labelledby="application-title">
      <div className="application-column">
        <div className="button-row nav-row">
          <button type="button" className="button subtle back" onClick={() => onBack(null)} aria-keyshortcuts="Escape">
            {t('application.back')}
          </button>
          <span className="spacer" />
          <button type="button" className="button subtle" onClick={() => go(-1)} disabled={position <= 0} aria-keyshortcuts="Alt+ArrowUp">
            {t('application.previousFile')}
          </button>
          <button type="button" className="button subtle" onClick={() => go(1)} disabled={position < 0 || position >= neighbours.length - 1} aria-keyshortcuts="Alt+ArrowDown">
            {t('application.nextFile')}
          </button>
        </div>
        <header className="application-header">
          <h1 id="application-title">{application.applicant.fullName}</h1>
          <div className="muted">
            {application.registrationNumber} · {permitType.name}
          </div>
          <div className="header-tags">
            <span className="tag stage">{t(`stages.${application.stage}`)}</span>
            <DeadlineBadge workingDaysLeft={detail.workingDaysLeft} />
            <StageTimeBadge standardMinutes={detail.stageStandardMinutes} minutesLeft={detail.stageMinutesLeft} />
            {detail.deadline && <span className="muted small">{t('application.deadline', { date: formatDate(detail.deadline, i18n.language) })}</span>}
          </div>
          {canClaim && (
            <div className="claim-row" role="status">
              {claimedBy ? (
                <span className={`tag ${mine ? 'stage' : 'claimed'}`}>{mine ? t('application.claimedByMe') : t('application.claimedBy', { name: claimedBy.name })}</span>
              ) : (
                <span className="muted small">{t('application.unclaimed')}</span>
              )}
              {!claimedBy && (
                <button type="button" className="button" onClick={() => void claim(true)} disabled={busy} aria-keyshortcuts="Alt+A">
                  {t('application.claim')}
                  <kbd aria-hidden="true">Alt+A</kbd>
                </button>
              )}
              {mine && (
                <button type="button" className="button" onClick={() => void claim(false)} disabled={busy} aria-keyshortcuts="Alt+L">
                  {t('application.release')}
                  <kbd aria-hidden="true">Alt+L</kbd>
                </button>
              )}
            </div>
          )}
        </header>
        {error && (
          <p className="alert error" role="alert">
            {error}
          </p>
        )}
        {detail.pending && (
          <p className="alert info" role="status">
            {t('application.pendingNote')}
          </p>
        )}

        <section className="panel" aria-labelledby="applicant-title">
          <h2 id="applicant-title">{t('application.applicant')}</h2>
          <dl className="facts">
            <dt>{t('application.fields.nik')}</dt>
            <dd>{application.applicant.nik}</dd>
            <dt>{t('application.fields.birth')}</dt>
            <dd>
              {application.applicant.birthPlace}, {formatDate(application.applicant.birthDate, i18n.language)}
            </dd>
            <dt>{t('application.fields.address')}</dt>
            <dd>{application.applicant.address}</dd>
            <dt>{t('application.fields.phone')}</dt>
            <dd>{application.applicant.phone}</dd>
            <dt>{t('application.fields.profession')}</dt>
            <dd>{application.applicant.profession}</dd>
            <dt>{t('application.fields.strNumber')}</dt>
            <dd>{application.applicant.strNumber}</dd>
            <dt>{t('application.fields.facilityName')}</dt>
            <dd>{application.applicant.facilityName}</dd>
          </dl>
        </section>

        <ConformityTable applicant={application.applicant} references={detail.references} today={detail.today} />

        <section className="panel" aria-labelledby="requirements-title">
          <h2 id="requirements-title">{t('application.requirements')}</h2>
          <ul className="checklist">
            {permitType.requirements.map((r) => (
              <li key={r.id}>
                <label>
                  <input
                    type="checkbox"
                    checked={checklist[r.id] === true}
                    disabled={!checklistEditable || busy}
                    onChange={(e) => setChecklist((c) => ({ ...c, [r.id]: e.target.checked }))}
                  />
                  <span>{r.label}</span>
                </label>
              </li>
            ))}
          </ul>
        </section>

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
        <section className="panel decision" aria-labelledby="decision-title">
          <h2 id="decision-title">{t('application.decision')}</h2>
          {actions.length === 0 && !detail.pending && <p className="muted">{t('application.notYours')}</p>}
          {reasonFor && detail.stageOutcomes[reasonFor.to] === 'returned' ? (
            <ReturnReasonForm
              application={application}
              permitType={permitType}
              city={detail.officeCity}
              checklist={checklist}
              busy={busy}
              onCancel={() => setReasonFor(null)}
              onSend={(message) => void decide(reasonFor, message)}
            />
          ) : reasonFor ? (
            <div className="reason-form">
              {isConformityPass(reasonFor) && (
                <p className="alert warning" role="status">
                  {t('application.noteRequired', { count: findings.length })}
                </p>
              )}
              <label className="field">
                <span>
                  {t(`actions.${reasonFor.id}`)} — {isConformityPass(reasonFor) ? t('application.note') : t('application.reason')}
                </span>
                <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={4} placeholder={t('application.reasonPlaceholder')} autoFocus />
              </label>
              <div className="button-row">
                <button type="button" className="button" onClick={() => setReasonFor(null)} disabled={busy}>
                  {t('common.cancel')}
                </button>
                <button
                  type="button"
                  className={`button ${isConformityPass(reasonFor) ? 'primary' : 'danger'}`}
                  onClick={() => void decide(reasonFor, reason)}
                  disabled={busy || reason.trim() === ''}
                >
                  {t('common.confirm')}
                </button>
              </div>
            </div>
          ) : (
            <div className="button-row">
              {actions.map((action) => (
                <button
                  key={action.id}
                  type="button"
                  className={`button ${action.kind === 'forward' || action.kind === 'sign' ? 'primary' : 'danger-outline'}`}
                  onClick={() => onAction(action)}
                  disabled={busy || signing || (action.requires.includes('checklist_complete') && !checklistComplete) || (action.kind === 'sign' && !application.permitNumber)}
                  aria-keyshortcuts={action === forward ? 'Alt+T' : action === back ? 'Alt+K' : undefined}
                >
                  {t(`actions.${action.id}`)}
                  {action === forward && <kbd aria-hidden="true">Alt+T</kbd>}
                  {action === back && <kbd aria-hidden="true">Alt+K</kbd>}
                </button>
              ))}
            </div>
          )}
        </section>

        <KartuKendali events={detail.events} applicationId={detail.application.id} />
      </div>

      <div className="viewer-column">
        <div className="tabs" role="tablist" aria-label={t('application.documents')}>
          {tabs.map((tb) => {
            const selected = tb === tab;
            return (
              <button key={tabKey(tb)} type="button" role="tab" aria-selected={selected} className={`tab ${selected ? 'selected' : ''}`} onClick={() => setOpenTab(tabKey(tb))}>
                {tb.label}
              </button>
            );
          })}
        </div>
        {tab?.kind === 'draft' && (
          <p className="muted small draft-number">{draftNumber ? t('application.draftNumber', { number: draftNumber }) : t('application.draftUnnumbered', { step: numberingStep ? t(`stages.${numberingStep}`) : '–' })}</p>
        )}
        {tab && (
          <PdfViewer
            title={tab.label}
            loadKey={tab.kind === 'draft' ? `draft-${applicationId}` : tab.id}
            load={async () => {
              const result = tab.kind === 'draft' ? await invoke('draft.get', { applicationId }) : await invoke('application.document', { documentId: tab.id });
              if (!result.ok) return { ok: false, message: errorText(result.error) };
              if (tab.kind === 'draft' && 'permitNumber' in result.value) setDraftNumber(result.value.permitNumber as string | null);
              return { ok: true, value: result.value };
            }}
          />
        )}
      </div>
    </section>
  );
}
