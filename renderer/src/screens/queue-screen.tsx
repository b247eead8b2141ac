import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DeadlineState, QueueCounts, QueueItem } from '../../../shared/contract';
import { invoke } from '../desk-api';
import { formatDate } from '../format';
import { useErrorText } from '../use-error-text';
import { DeadlineBadge } from '../components/deadline-badge';
import { RejectPanel } from '../components/reject-panel';
import { SigningPanel } from '../components/signing-panel';
import { StageTimeBadge } from '../components/stage-time-badge';

interface QueueScreenProps {
  notice: string | null;
  /** a new sync reloads the list */
  syncedAt: string | null;
  onOpen(applicationId: string, neighbours: string[]): void;
}

type Sort = 'deadline' | 'submitted' | 'name';
const PAGE = 100;
const ROW_HEIGHT = 58;

/**
 * The queue: only the rows on screen are in the DOM and only the pages near them are fetched,
 * so 100,000 cached files scroll as smoothly as 10. Arrow keys move, Enter opens, / searches.
 */
export function QueueScreen({ notice, syncedAt, onOpen }: QueueScreenProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [search, setSearch] = useState('');
  const [permitTypeId, setPermitTypeId] = useState('');
  const [deadline, setDeadline] = useState<DeadlineState | ''>('');
  const [sort, setSort] = useState<Sort>('deadline');
  const [total, setTotal] = useState<number | null>(null);
  const [rows, setRows] = useState<Map<number, QueueItem>>(new Map());
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  const [canSign, setCanSign] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // ids, not rows: a selection survives a refresh or a sync
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [active, setActive] = useState(0);
  const [panel, setPanel] = useState<'sign' | 'reject' | null>(null);
  const [reloads, setReloads] = useState(0);
  const [message, setMessage] = useState<string | null>(notice);
  const requested = useRef(new Set<number>());
  const generation = useRef(0);
  const scroller = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLTableElement>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  const filters = { ...(search ? { search } : {}), ...(permitTypeId ? { permitTypeId } : {}), ...(deadline ? { deadline } : {}), sort };
  const filterKey = JSON.stringify(filters);

  const loadPage = useCallback(
    async (page: number, gen: number) => {
      if (requested.current.has(page)) return;
      requested.current.add(page);
      const result = await invoke('queue.list', { ...JSON.parse(filterKey), offset: page * PAGE, limit: PAGE, withCounts: page === 0 });
      if (gen !== generation.current) return;
      if (!result.ok) {
        setError(errorText(result.error));
        return;
      }
      setError(null);
      if (result.value.total !== null) setTotal(result.value.total);
      setCanSign(result.value.canSign);
      if (result.value.counts) setCounts(result.value.counts);
      setRows((current) => {
        const next = page === 0 ? new Map<number, QueueItem>() : new Map(current);
        result.value.items.forEach((item, i) => next.set(page * PAGE + i, item));
        return next;
      });
    },
    [filterKey, errorText],
  );

  useEffect(() => {
    generation.current += 1;
    requested.current = new Set();
    const gen = generation.current;
    const timer = setTimeout(() => void loadPage(0, gen), search ? 150 : 0);
    return () => clearTimeout(timer);
  }, [filterKey, syncedAt, reloads]);

  const virtualizer = useVirtualizer({ count: total ?? 0, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const virtualRows = virtualizer.getVirtualItems();
  const first = virtualRows[0]?.index ?? 0;
  const last = virtualRows[virtualRows.length - 1]?.index ?? 0;
  useEffect(() => {
    if (total === null) return;
    for (let page = Math.floor(first / PAGE); page <= Math.floor(last / PAGE); page += 1) void loadPage(page, generation.current);
  }, [first, last, total, loadPage]);

  const loaded = [...rows.values()];
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const chosen = loaded.filter((i) => selected.has(i.id));
  const allShownSelected = loaded.length > 0 && loaded.every((i) => selected.has(i.id));
  const closePanel = (summary: string | null) => {
    setPanel(null);
    if (summary) {
      setMessage(summary);
      setSelected(new Set());
    }
    setReloads((n) => n + 1);
  };
  const open = (index: number) => {
    const item = rows.get(index);
    if (!item) return;
    const neighbours = [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row.id);
    onOpen(item.id, neighbours);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (total === null || total === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'j') setActive((a) => Math.min(total - 1, a + 1));
    else if (event.key === 'ArrowUp' || event.key === 'k') setActive((a) => Math.max(0, a - 1));
    else if (event.key === 'Enter') open(active);
    else if (event.key === ' ' && canSign) {
      const item = rows.get(active);
      if (item) toggle(item.id);
    } else return;
    event.preventDefault();
  };
  useEffect(() => virtualizer.scrollToIndex(active, { align: 'auto' }), [active]);

  useEffect(() => {
    const onSlash = (event: globalThis.KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) {
        event.preventDefault();
        searchBox.current?.focus();
      }
    };
    window.addEventListener('keydown', onSlash);
    return () => window.removeEventListener('keydown', onSlash);
  }, []);

  const deadlineChip = (state: DeadlineState | '', label: string, count: number | undefined) => (
    <button type="button" className={`chip ${deadline === state ? 'selected' : ''}`} aria-pressed={deadline === state} onClick={() => setDeadline(state)}>
      {label} <span className="chip-count">{count ?? '…'}</span>
    </button>
  );

  return (
    <section className="queue-screen" aria-labelledby="queue-title">
      <div className="screen-header">
        <h1 id="queue-title">{t('queue.title')}</h1>
        {total !== null && <span className="count">{t('queue.count', { count: total })}</span>}
        <input
          ref={searchBox}
          type="search"
          className="search"
          placeholder={t('queue.search')}
          aria-label={t('queue.search')}
          aria-keyshortcuts="/"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'Enter') {
              e.preventDefault();
              grid.current?.focus();
            }
          }}
        />
      </div>
      <div className="filter-bar" role="group" aria-label={t('queue.filters')}>
        {deadlineChip('', t('queue.deadlineFilter.all'), counts?.all)}
        {deadlineChip('overdue', t('queue.deadlineFilter.overdue'), counts?.deadline.overdue)}
        {deadlineChip('today', t('queue.deadlineFilter.today'), counts?.deadline.today)}
        {deadlineChip('soon', t('queue.deadlineFilter.soon'), counts?.deadline.soon)}
        {deadlineChip('on_time', t('queue.deadlineFilter.on_time'), counts?.deadline.on_time)}
        <select aria-label={t('queue.columns.permit')} value={permitTypeId} onChange={(e) => setPermitTypeId(e.target.value)}>
          <option value="">{t('queue.allPermitTypes')}</option>
          {counts?.permitTypes.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.count})
            </option>
          ))}
        </select>
        <select aria-label={t('queue.sort')} value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
          <option value="deadline">{t('queue.sortBy.deadline')}</option>
          <option value="submitted">{t('queue.sortBy.submitted')}</option>
          <option value="name">{t('queue.sortBy.name')}</option>
        </select>
      </div>
      {message && (
        <p className="alert info" role="status">
          {message}
        </p>
      )}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {canSign && (
        <div className="selection-bar">
          <button type="button" className="button primary" disabled={chosen.length === 0 || panel !== null} onClick={() => setPanel('sign')}>
            {t('signing.sign', { count: chosen.length })}
          </button>
          <button type="button" className="button danger-outline" disabled={chosen.length === 0 || panel !== null} onClick={() => setPanel('reject')}>
            {t('signing.reject', { count: chosen.length })}
          </button>
        </div>
      )}
      {panel === 'sign' && <SigningPanel items={chosen} onClose={closePanel} />}
      {panel === 'reject' && <RejectPanel items={chosen} onClose={closePanel} />}
      {total === 0 && <p className="empty">{t('queue.empty')}</p>}
      {total !== null && total > 0 && (
        <div ref={scroller} className="queue-scroller">
          <table
            ref={grid}
            className="queue-table"
            tabIndex={0}
            role="grid"
            aria-label={t('queue.title')}
            aria-rowcount={total + 1}
            aria-activedescendant={rows.get(active) ? `queue-row-${rows.get(active)!.id}` : undefined}
            onKeyDown={onKeyDown}
          >
            <thead>
              <tr>
                {canSign && (
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label={t('signing.selectAll')}
                      checked={allShownSelected}
                      onChange={() => setSelected(allShownSelected ? new Set() : new Set(loaded.map((i) => i.id)))}
                    />
                  </th>
                )}
                <th scope="col">{t('queue.columns.number')}</th>
                <th scope="col">{t('queue.columns.applicant')}</th>
                <th scope="col">{t('queue.columns.permit')}</th>
                <th scope="col">{t('queue.columns.stage')}</th>
                <th scope="col">{t('queue.columns.submitted')}</th>
                <th scope="col">{t('queue.columns.left')}</th>
              </tr>
            </thead>
            <tbody>
              {virtualRows.length > 0 && <tr aria-hidden="true" style={{ height: virtualRows[0]!.start }} />}
              {virtualRows.map((virtualRow) => {
                const item = rows.get(virtualRow.index);
                if (!item) {
                  return (
                    <tr key={`loading-${virtualRow.index}`} className="queue-row loading" style={{ height: ROW_HEIGHT }}>
                      <td colSpan={canSign ? 7 : 6} className="muted">
                        …
                      </td>
                    </tr>
                  );
                }
                const classes = ['queue-row', item.pending ? 'pending' : '', selected.has(item.id) ? 'selected' : '', virtualRow.index === active ? 'active' : ''];
                return (
                  <tr
                    key={item.id}
                    id={`queue-row-${item.id}`}
                    aria-rowindex={virtualRow.index + 2}
                    aria-selected={canSign ? selected.has(item.id) : virtualRow.index === active}
                    className={classes.join(' ')}
                    style={{ height: ROW_HEIGHT }}
                    onClick={() => {
                      setActive(virtualRow.index);
                      if (canSign) toggle(item.id);
                      else open(virtualRow.index);
                    }}
                  >
                    {canSign && (
                      <td onClick={(e) => e.stopPropagation()}>
                        <input type="checkbox" aria-label={t('signing.select', { number: item.registrationNumber })} checked={selected.has(item.id)} onChange={() => toggle(item.id)} />
                      </td>
                    )}
                    <td>
                      <button
                        type="button"
                        className="link"
                        tabIndex={-1}
                        onClick={(e) => {
                          e.stopPropagation();
                          open(virtualRow.index);
                        }}
                      >
                        {item.registrationNumber}
                      </button>
                    </td>
                    <td>
                      <div className="applicant-name">{item.applicantName}</div>
                      <div className="muted">NIK {item.nik}</div>
                    </td>
                    <td>{item.permitTypeName}</td>
                    <td>
                      {t(`stages.${item.stage}`)}
                      {item.pending && <span className="tag">{t('queue.pending')}</span>}
                      {item.claimedByName && <span className="tag claimed">{t('queue.claimedBy', { name: item.claimedByName })}</span>}
                      <div>
                        <StageTimeBadge standardMinutes={item.stageStandardMinutes} minutesLeft={item.stageMinutesLeft} />
                      </div>
                    </td>
                    <td>{formatDate(item.submittedAt, i18n.language)}</td>
                    <td>
                      <DeadlineBadge workingDaysLeft={item.workingDaysLeft} />
                    </td>
                  </tr>
                );
              })}
              {virtualRows.length > 0 && <tr aria-hidden="true" style={{ height: virtualizer.getTotalSize() - virtualRows[virtualRows.length - 1]!.end }} />}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
