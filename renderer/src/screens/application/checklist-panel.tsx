import { useTranslation } from 'react-i18next';
import type { ApplicationDetail } from '../../../../shared/contract';

/** The permit type's requirement list, ticked where the file meets it; editable at the checking step. */
export function ChecklistPanel({
  requirements,
  checklist,
  editable,
  busy,
  onChange,
}: {
  requirements: ApplicationDetail['permitType']['requirements'];
  checklist: Record<string, boolean>;
  editable: boolean;
  busy: boolean;
  onChange(requirementId: string, met: boolean): void;
}) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="requirements-title">
      <h2 id="requirements-title">{t('application.requirements')}</h2>
      <ul className="checklist">
        {requirements.map((r) => (
          <li key={r.id}>
            <label>
              <input type="checkbox" checked={checklist[r.id] === true} disabled={!editable || busy} onChange={(e) => onChange(r.id, e.target.checked)} />
              <span>{r.label}</span>
            </label>
          </li>
        ))}
      </ul>
    </section>
  );
}
