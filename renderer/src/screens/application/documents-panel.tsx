import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ApplicationDetail } from '../../../../shared/contract';
import { invoke } from '../../desk-api';
import { PdfViewer } from '../../components/pdf-viewer';
import { useErrorText } from '../../use-error-text';

export type FileTab = { kind: 'document'; id: string; label: string } | { kind: 'draft'; label: string };

export const tabKey = (tb: FileTab) => (tb.kind === 'draft' ? 'draft' : tb.id);

/** The file's tabs: the draft permit (where the chain numbers or has numbered it), then its documents. */
export function fileTabs(detail: ApplicationDetail, t: TFunction): FileTab[] {
  const showsDraft = detail.application.permitNumber !== null || detail.stage.actions.some((a) => a.reservesPermitNumber);
  return [
    ...(showsDraft ? [{ kind: 'draft' as const, label: t('application.draft') }] : []),
    ...detail.documents.map((d) => ({ kind: 'document' as const, id: d.id, label: t(`documentKinds.${d.kind}`, { defaultValue: d.fileName }) })),
  ];
}

/** The viewer column: a tab per document (and the draft permit), the open one in the viewer. */
export function DocumentsPanel({
  applicationId,
  numberingStep,
  tabs,
  tab,
  onOpenTab,
}: {
  applicationId: string;
  numberingStep: string | null;
  tabs: FileTab[];
  tab: FileTab | null;
  onOpenTab(key: string): void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [draftNumber, setDraftNumber] = useState<string | null>(null);
  return (
    <div className="viewer-column">
      <div className="tabs" role="tablist" aria-label={t('application.documents')}>
        {tabs.map((tb) => {
          const selected = tb === tab;
          return (
            <button key={tabKey(tb)} type="button" role="tab" aria-selected={selected} className={`tab ${selected ? 'selected' : ''}`} onClick={() => onOpenTab(tabKey(tb))}>
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
  );
}
