import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { COMPLAINT_CHANNELS, COMPLAINT_ROUTING, COMPLAINT_TEXT_LIMITS, COMPLAINT_TYPES, COMPLAINT_WEIGHTS, type ComplaintAction, type ComplaintChannel, type ComplaintType, type ComplaintWeight } from '../../../shared/complaint-rules';
import type { MethodOutput } from '../../../shared/contract';
import type { User } from '../../../shared/sync-protocol';
import { calendarDateIn } from '../../../shared/working-days';
import { KartuKendali } from '../components/kartu-kendali';
import { deskCall, useDeskMutation, useDeskQuery } from '../desk-query';
import { formatDate, formatDateTime, formatMonth } from '../format';
import { useErrorText } from '../use-error-text';

type ListedComplaint = MethodOutput<'complaints.list'>['complaints'][number];

/** A registration number (MPPD-2026-010231) with room to spare: the field stops there, and an unknown one is echoed short. */
const REGISTRATION_MAX_LENGTH = 40;

/** The office's own zone (WIB, WITA or WIT): "today" and "this month" are the office's, not Jakarta's. */
function useOfficeTimeZone(): string {
  return useDeskQuery('session.current', {}).data?.office?.timeZone ?? 'Asia/Jakarta';
}

/** The Buku Pengaduan: record, route, answer and close complaints; the monthly report's path. */
export function ComplaintsScreen({ user }: { user: User }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  // while a complaint waits in the outbox, look again now and then: the sync delivers it when the server is back
  const list = useDeskQuery('complaints.list', {}, { refetchInterval: (query) => (query.state.data?.complaints.some((c) => c.pending) ? 5_000 : false) });
  const timeZone = useOfficeTimeZone();
  const month = calendarDateIn(new Date(), timeZone).slice(0, 7);
  return (
    <div className="complaints-screen">
      <div className="screen-head">
        <h1>{t('oversight.complaints.title')}</h1>
      </div>
      {list.data?.fromCache && <p role="status">{t('oversight.complaints.fromCache')}</p>}
      {list.error && <p role="alert">{errorText(list.error.error)}</p>}
      <div className="complaints-layout">
        <div>
          {user.role === 'penata_perizinan' && <ComplaintForm />}
          <MonthlyReportPanel month={month} />
        </div>
        <div>
          {list.data && list.data.rejectedCommands.length > 0 && (
            <section className="panel" aria-labelledby="complaint-rejected-title">
              <h2 id="complaint-rejected-title">{t('oversight.complaints.rejectedTitle')}</h2>
              <ul>
                {list.data.rejectedCommands.map((r) => (
                  <li key={r.commandId}>
                    {t('oversight.complaints.rejectedItem', {
                      subject: r.subject,
                      action: r.kind === 'complaint' ? t(`oversight.complaints.actions.${r.action}`, { defaultValue: r.action }) : t(`oversight.complaints.report.actions.${r.action}`, { defaultValue: r.action }),
                      message: r.message,
                    })}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {list.data && list.data.complaints.length === 0 && <p className="muted">{t('oversight.complaints.empty')}</p>}
          {list.data?.complaints.map((c) => <ComplaintCard key={c.id} complaint={c} />)}
        </div>
      </div>
    </div>
  );
}

/** The fields a complaint cannot be recorded without, in the form's order (the first missing one takes the focus). */
const REQUIRED_FIELDS = ['receivedOn', 'name', 'identity', 'contact', 'summary'] as const;
type RequiredField = (typeof REQUIRED_FIELDS)[number];

/** As the office writes registration numbers: "  mppd-2026-010243 " is MPPD-2026-010243. */
function normalizeRegistration(input: string): string {
  return input.trim().toUpperCase();
}

function ComplaintForm() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const record = useDeskMutation('complaints.act', ['complaints.list', 'complaints.report']);
  const timeZone = useOfficeTimeZone();
  const [receivedOn, setReceivedOn] = useState(() => calendarDateIn(new Date(), timeZone));
  const [name, setName] = useState('');
  const [identity, setIdentity] = useState('');
  const [contact, setContact] = useState('');
  const [channel, setChannel] = useState<ComplaintChannel>('ruang_pengaduan');
  const [type, setType] = useState<ComplaintType>('waktu_pelayanan');
  const [weight, setWeight] = useState<ComplaintWeight>('ringan');
  const [summary, setSummary] = useState('');
  const [registration, setRegistration] = useState('');
  const [missing, setMissing] = useState<ReadonlySet<RequiredField>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const [savedOffline, setSavedOffline] = useState(false);
  const values: Record<RequiredField, string> = { receivedOn, name, identity, contact, summary };

  const edited = (field: RequiredField) => {
    if (missing.has(field)) setMissing(new Set([...missing].filter((f) => f !== field)));
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setProblem(null);
    setSavedOffline(false);
    // our own messages instead of the browser's English "Please fill out this field" (the form is noValidate)
    const empty = REQUIRED_FIELDS.filter((f) => values[f].trim() === '');
    setMissing(new Set(empty));
    if (empty.length > 0) {
      form.querySelector<HTMLElement>(`[name="${empty[0]}"]`)?.focus();
      return;
    }
    let applicationId: string | null = null;
    const wanted = normalizeRegistration(registration);
    if (wanted) {
      // the search covers every file this official may see (their cache), not only their queue
      const found = await deskCall('queue.list', { search: wanted, limit: 20 }).catch(() => null);
      applicationId = found?.items.find((i) => i.registrationNumber.toUpperCase() === wanted)?.id ?? null;
      if (!applicationId) {
        form.querySelector<HTMLElement>('[name="registration"]')?.focus();
        return setProblem(t('oversight.complaints.unknownApplication', { registration: wanted }));
      }
    }
    record.mutate(
      {
        kind: 'complaint',
        action: 'record',
        note: null,
        complaint: { receivedOn, complainantName: name.trim(), complainantIdentity: identity.trim(), contact: contact.trim(), channel, type, weight, summary: summary.trim(), applicationId },
      },
      {
        onSuccess: (result) => {
          setSavedOffline(!result.delivered);
          setName('');
          setIdentity('');
          setContact('');
          setSummary('');
          setRegistration('');
        },
      },
    );
  };

  /** A required field's attributes; requiredLabel adds its mark, fieldError its own message when it was left empty. */
  const requiredProps = (field: RequiredField) => ({
    name: field,
    required: true,
    'aria-invalid': missing.has(field) || undefined,
    'aria-describedby': missing.has(field) ? `complaint-${field}-error` : undefined,
  });
  const requiredLabel = (label: string) => (
    <span>
      {label}
      <span className="required-mark" aria-hidden="true">
        {' *'}
      </span>
    </span>
  );
  const fieldError = (field: RequiredField) =>
    missing.has(field) && (
      <span className="field-error" id={`complaint-${field}-error`}>
        {t(`oversight.complaints.requiredField.${field}`)}
      </span>
    );

  return (
    <form className="panel complaint-form" onSubmit={(e) => void submit(e)} aria-labelledby="complaint-form-title" noValidate>
      <h2 id="complaint-form-title">{t('oversight.complaints.new')}</h2>
      <p className="small muted">{t('oversight.complaints.requiredHint')}</p>
      <label>
        {requiredLabel(t('oversight.complaints.receivedOn'))}
        <input
          type="date"
          {...requiredProps('receivedOn')}
          value={receivedOn}
          onChange={(e) => {
            setReceivedOn(e.target.value);
            edited('receivedOn');
          }}
        />
      </label>
      {fieldError('receivedOn')}
      <label>
        {requiredLabel(t('oversight.complaints.name'))}
        <input
          {...requiredProps('name')}
          maxLength={COMPLAINT_TEXT_LIMITS.complainantName}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            edited('name');
          }}
        />
      </label>
      {fieldError('name')}
      <label>
        {requiredLabel(t('oversight.complaints.identity'))}
        <input
          {...requiredProps('identity')}
          maxLength={COMPLAINT_TEXT_LIMITS.complainantIdentity}
          value={identity}
          onChange={(e) => {
            setIdentity(e.target.value);
            edited('identity');
          }}
        />
      </label>
      {fieldError('identity')}
      <label>
        {requiredLabel(t('oversight.complaints.contact'))}
        <input
          {...requiredProps('contact')}
          maxLength={COMPLAINT_TEXT_LIMITS.contact}
          value={contact}
          onChange={(e) => {
            setContact(e.target.value);
            edited('contact');
          }}
        />
      </label>
      {fieldError('contact')}
      <label>
        {t('oversight.complaints.channel')}
        <select value={channel} onChange={(e) => setChannel(e.target.value as ComplaintChannel)}>
          {COMPLAINT_CHANNELS.map((c) => (
            <option key={c} value={c}>
              {t(`oversight.complaints.channels.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('oversight.complaints.type')}
        <select value={type} onChange={(e) => setType(e.target.value as ComplaintType)}>
          {COMPLAINT_TYPES.map((c) => (
            <option key={c} value={c}>
              {t(`oversight.complaints.types.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('oversight.complaints.weight')}
        <select value={weight} onChange={(e) => setWeight(e.target.value as ComplaintWeight)}>
          {COMPLAINT_WEIGHTS.map((w) => (
            <option key={w} value={w}>
              {t(`oversight.complaints.weights.${w}`)}
            </option>
          ))}
        </select>
      </label>
      <p className="small muted">{t(`oversight.complaints.routes.${weight}`)}</p>
      <label>
        {t('oversight.complaints.application')}
        <input
          name="registration"
          maxLength={REGISTRATION_MAX_LENGTH}
          value={registration}
          aria-invalid={problem ? true : undefined}
          onChange={(e) => {
            setRegistration(e.target.value);
            setProblem(null);
          }}
          placeholder="MPPD-2026-0…"
        />
      </label>
      <label>
        {requiredLabel(t('oversight.complaints.summary'))}
        <textarea
          rows={3}
          {...requiredProps('summary')}
          maxLength={COMPLAINT_TEXT_LIMITS.summary}
          value={summary}
          onChange={(e) => {
            setSummary(e.target.value);
            edited('summary');
          }}
        />
      </label>
      {fieldError('summary')}
      {problem && (
        <p className="alert error" role="alert">
          {problem}
        </p>
      )}
      {savedOffline && <p role="status">{t('oversight.complaints.savedOffline')}</p>}
      {record.error && <p role="alert">{errorText(record.error.error)}</p>}
      <button type="submit" className="button primary" disabled={record.isPending}>
        {t('oversight.complaints.record')}
      </button>
    </form>
  );
}

function ComplaintCard({ complaint: c }: { complaint: ListedComplaint }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const act = useDeskMutation('complaints.act', ['complaints.list', 'complaints.report']);
  const [note, setNote] = useState('');
  const kartu = useDeskQuery('complaints.kartu', { complaintId: c.id }, { enabled: c.applicationId !== null && !c.pending });
  const needsNote = (a: ComplaintAction) => a === 'coordinate' || a === 'answer';
  const take = (action: ComplaintAction) =>
    act.mutate({ kind: 'complaint', complaintId: c.id, action, note: note.trim() || null, ...(action === 'answer' ? { answerChannel: c.channel } : {}) }, { onSuccess: () => setNote('') });
  const titleId = `complaint-${c.id}`;
  return (
    <article className="panel complaint" aria-labelledby={titleId}>
      <h2 id={titleId}>
        {c.complainantName} — {t(`oversight.complaints.statuses.${c.status}`)}
        {c.pending && <> · {t('oversight.complaints.pending')}</>}
      </h2>
      <dl className="complaint-facts">
        <dt>{t('oversight.complaints.receivedOn')}</dt>
        <dd>{formatDate(c.receivedOn, i18n.language)}</dd>
        <dt>{t('oversight.complaints.identity')}</dt>
        <dd>
          {c.complainantIdentity} · {c.contact}
        </dd>
        <dt>{t('oversight.complaints.channel')}</dt>
        <dd>{t(`oversight.complaints.channels.${c.channel}`)}</dd>
        <dt>{t('oversight.complaints.type')}</dt>
        <dd>{t(`oversight.complaints.types.${c.type}`)}</dd>
        <dt>{t('oversight.complaints.weight')}</dt>
        <dd>{t(`oversight.complaints.weights.${c.weight}`)}</dd>
        <dt>{t('oversight.complaints.routing')}</dt>
        <dd>{t(`oversight.complaints.routes.${c.weight}`)}</dd>
        <dt>{t('oversight.complaints.summary')}</dt>
        <dd>{c.summary}</dd>
        {c.coordination && (
          <>
            <dt>{t('oversight.complaints.coordination')}</dt>
            <dd>{c.coordination}</dd>
          </>
        )}
        {c.answer && (
          <>
            <dt>{t('oversight.complaints.answer')}</dt>
            <dd>
              {c.answer.text}
              <div className="small muted">{t('oversight.complaints.answerVia', { channel: t(`oversight.complaints.channels.${c.answer.channel}`) })}</div>
            </dd>
          </>
        )}
      </dl>
      {COMPLAINT_ROUTING[c.weight].coordinator && !c.coordination && c.status === 'in_follow_up' && <p className="small muted">{t(`oversight.complaints.routes.${c.weight}`)}</p>}
      <h3>{t('oversight.complaints.history')}</h3>
      <ol className="complaint-history">
        {c.history.map((h, i) => (
          <li key={i}>
            {formatDateTime(h.at, i18n.language)} — <strong>{t(`oversight.complaints.actions.${h.action}`, { defaultValue: h.action })}</strong> →{' '}
            {h.status === 'pending' ? t('oversight.complaints.pendingLine') : t(`oversight.complaints.statuses.${h.status}`, { defaultValue: h.status })} — {h.actorName}
            {h.actorRole && <span className="muted"> ({t(`roles.${h.actorRole}`)})</span>}
            {h.note && <div className="kartu-reason">“{h.note}”</div>}
          </li>
        ))}
      </ol>
      {c.actions.length > 0 && (
        <div className="complaint-actions">
          {c.actions.some(needsNote) && (
            <label>
              {t('oversight.complaints.note')}
              <textarea rows={2} maxLength={COMPLAINT_TEXT_LIMITS.note} value={note} onChange={(e) => setNote(e.target.value)} />
            </label>
          )}
          {c.actions.map((a) => (
            <button key={a} type="button" className="button" disabled={act.isPending || (needsNote(a) && !note.trim())} onClick={() => take(a)}>
              {t(`oversight.complaints.actions.${a}`)}
            </button>
          ))}
          {act.error && <p role="alert">{errorText(act.error.error)}</p>}
        </div>
      )}
      {kartu.data && (
        <details className="attached-kartu" open>
          <summary>{t('oversight.complaints.attachedKartu', { registration: kartu.data.registrationNumber })}</summary>
          <KartuKendali source={kartu.data} complaintId={c.id} />
        </details>
      )}
    </article>
  );
}

function MonthlyReportPanel({ month }: { month: string }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const report = useDeskQuery('complaints.report', { month });
  const act = useDeskMutation('complaints.act', ['complaints.report']);
  const [note, setNote] = useState('');
  const r = report.data?.report ?? null;
  return (
    <section className="panel" aria-labelledby="complaint-report-title">
      <h2 id="complaint-report-title">{t('oversight.complaints.report.title', { month: formatMonth(month, i18n.language) })}</h2>
      {!r && <p className="muted">{t('oversight.complaints.report.none')}</p>}
      {r && (
        <>
          <p>
            <strong>{t(`oversight.complaints.report.statuses.${r.status}`)}</strong> · {t('oversight.complaints.report.entries', { count: r.entries.length })}
          </p>
          {r.note && <p className="kartu-reason">“{r.note}”</p>}
          <ol className="complaint-history">
            {r.history.map((h, i) => (
              <li key={i}>
                {formatDateTime(h.at, i18n.language)} — <strong>{t(`oversight.complaints.report.actions.${h.action}`, { defaultValue: h.action })}</strong> — {h.actorName}
                {h.note && <div className="kartu-reason">“{h.note}”</div>}
              </li>
            ))}
          </ol>
        </>
      )}
      {report.data && report.data.actions.length > 0 && (
        <div className="complaint-actions">
          <label>
            {t('oversight.complaints.note')}
            <textarea rows={2} maxLength={COMPLAINT_TEXT_LIMITS.note} value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          {report.data.actions.map((a) => (
            <button
              key={a}
              type="button"
              className="button"
              disabled={act.isPending || (a === 'return' && !note.trim())}
              onClick={() => act.mutate({ kind: 'report', month, action: a, note: note.trim() || null }, { onSuccess: () => setNote('') })}
            >
              {t(`oversight.complaints.report.actions.${a}`)}
            </button>
          ))}
        </div>
      )}
      {(report.error || act.error) && <p role="alert">{errorText((report.error ?? act.error)!.error)}</p>}
    </section>
  );
}
