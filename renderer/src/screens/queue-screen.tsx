import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { keepPreviousData, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DeadlineState, MethodInput, QueueItem } from '../../../shared/contract';
import { QUEUE_SEARCH_MAX_LENGTH } from '../../../shared/contract';
import { searchWords } from '../../../shared/search-words';
import { deskQueryOptions } from '../desk-query';
import { formatDate } from '../format';
import { useErrorText } from '../use-error-text';
import { DeadlineBadge } from '../components/deadline-badge';
import { RejectPanel } from '../components/reject-panel';
import { SigningPanel } from '../components/signing-panel';
import { StageTimeBadge } from '../components/stage-time-badge';
import { SearchHighlight } from '../components/search-highlight';

interface QueueScreenProps {
  notice: string | null;
  /** a new sync reloads the list */
  syncedAt: string | null;
  onOpen(applicationId: string, neighbours: string[]): void;
}

type Sort = 'deadline' | 'submitted' | 'name';
const PAGE = 100;
const ROW_HEIGHT = 58;

const SEARCH_DELAY_MS = 150;
/** The hidden descriptions the lateness chips point to, by element id. */
const FILTER_HELP = { 'deadline-filter-help': 'queue.deadlineFilterHelp', 'stage-time-filter-help': 'queue.stageTimeFilterHelp' } as const;

/** `value`, once it has stopped changing for `ms`: a search runs when typing pauses, not per key. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

const isTyping = (target: EventTarget | null) => target instanceof HTMLElement && (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable);

/**
 * The queue: only the rows on screen are in the DOM and only the pages near them are fetched
 * (each page a TanStack query, refetched when a sync or a decision changes the cache), so
 * 100,000 cached files scroll as smoothly as 10. Arrow keys move wherever the focus is outside
 * a text field, Enter opens, / searches.
 */
export function QueueScreen({ notice, syncedAt, onOpen }: QueueScreenProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [permitTypeId, setPermitTypeId] = useState('');
  // one lateness chip at a time: the permit's deadline (SLA) or the step's standard time (SOP)
  const [deadline, setDeadline] = useState<DeadlineState | ''>('');
  const [overStageTime, setOverStageTime] = useState(false);
  const [sort, setSort] = useState<Sort>('deadline');
  // ids, not rows: a selection survives a refresh or a sync
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [active, setActive] = useState(0);
  const [panel, setPanel] = useState<'review' | 'sign' | 'reject' | null>(null);
  const [message, setMessage] = useState<string | null>(notice);
  const scroller = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLTableElement>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  // the search as it settles; punctuation only is no search, and the screen says so
  const settledSearch = useSettled(search, SEARCH_DELAY_MS);
  const words = useMemo(() => searchWords(settledSearch), [settledSearch]);
  const searching = words.length > 0;
  const searchIgnored = settledSearch.trim() !== '' && !searching;
  const filters = useMemo(
    () => ({
      ...(searching ? { search: settledSearch } : {}),
      ...(permitTypeId ? { permitTypeId } : {}),
      ...(deadline ? { deadline } : {}),
      ...(overStageTime ? { stageTime: 'over' as const } : {}),
      sort,
    }),
    [searching, settledSearch, permitTypeId, deadline, overStageTime, sort],
  );
  const pageQuery = (page: number) => {
    const input: MethodInput<'queue.list'> = { ...filters, offset: page * PAGE, limit: PAGE, ...(page === 0 ? { withCounts: true } : {}) };
    // stale at once: coming back to the queue shows the cached page and asks again (a decision
    // made on the file screen has moved files); the previous answer stays on screen while the
    // next filter's loads, instead of an empty flash
    return { ...deskQueryOptions('queue.list', input, 0), placeholderData: keepPreviousData };
  };

  const first = useQuery(pageQuery(0));
  const total = first.data?.total ?? null;
  const counts = first.data?.counts ?? null;
  const canSign = first.data?.canSign ?? false;
  const error = first.error ? errorText(first.error.error) : null;

  // a sync brings new files: every page of the queue is fetched again
  const lastSync = useRef(syncedAt);
  useEffect(() => {
    if (syncedAt === lastSync.current) return;
    lastSync.current = syncedAt;
    void queryClient.invalidateQueries({ queryKey: ['queue.list'] });
  }, [syncedAt, queryClient]);

  const virtualizer = useVirtualizer({ count: total ?? 0, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const virtualRows = virtualizer.getVirtualItems();
  const firstShown = virtualRows[0]?.index ?? 0;
  const lastShown = virtualRows[virtualRows.length - 1]?.index ?? 0;
  const pagesShown: number[] = [];
  for (let page = Math.max(1, Math.floor(firstShown / PAGE)); page <= Math.floor(lastShown / PAGE); page += 1) pagesShown.push(page);
  const later = useQueries({ queries: pagesShown.map(pageQuery) });

  // a placeholder (the previous filter's page) never fills rows of the current one
  const rows = new Map<number, QueueItem>();
  for (const { page, result } of [{ page: 0, result: first }, ...pagesShown.map((page, i) => ({ page, result: later[i]! }))]) {
    if (!result.data || (page > 0 && result.isPlaceholderData)) continue;
    result.data.items.forEach((item, i) => rows.set(page * PAGE + i, item));
  }

  const loaded = [...rows.values()];
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const chosen = loaded.filter((i) => selected.has(i.id));
  // the review steps through the ticked drafts, or through every draft loaded when none is ticked
  // (a search also finds files at other officials' steps, which are no drafts of the Kepala Dinas)
  const myStages = new Set(first.data?.stageNames ?? []);
  const reviewable = (chosen.length > 0 ? chosen : loaded).filter((i) => !i.pending && myStages.has(i.stage));
  const allShownSelected = loaded.length > 0 && loaded.every((i) => selected.has(i.id));
  const closePanel = (summary: string | null) => {
    setPanel(null);
    if (summary) {
      setMessage(summary);
      setSelected(new Set());
    }
    void queryClient.invalidateQueries({ queryKey: ['queue.list'] });
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

  // '/' searches and the arrow keys move through the list wherever the focus is (a chip, the
  // page itself), not only once the table has it; a text field keeps its own keys
  const keyTarget = useRef<(event: globalThis.KeyboardEvent) => void>(() => undefined);
  keyTarget.current = (event) => {
    if (isTyping(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === '/') {
      event.preventDefault();
      searchBox.current?.focus();
      return;
    }
    if (panel !== null || !grid.current || grid.current.contains(event.target as Node)) return;
    if (['ArrowDown', 'ArrowUp', 'j', 'k'].includes(event.key)) {
      grid.current.focus({ preventScroll: true });
      onKeyDown(event as unknown as KeyboardEvent);
    }
  };
  useEffect(() => {
    const listener = (event: globalThis.KeyboardEvent) => keyTarget.current(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  // each lateness chip says, on hover and to a screen reader, which deadline it counts
  const chip = (label: string, count: number | null | undefined, pressed: boolean, help: keyof typeof FILTER_HELP | undefined, choose: () => void) => (
    <button
      type="button"
      className={`chip ${pressed ? 'selected' : ''}`}
      aria-pressed={pressed}
      aria-describedby={help}
      title={help ? t(FILTER_HELP[help]) : undefined}
      onClick={choose}
    >
      {label} <span className="chip-count">{count ?? '…'}</span>
    </button>
  );
  const deadlineChip = (state: DeadlineState | '', label: string, count: number | undefined) =>
    chip(label, count, !overStageTime && deadline === state, state ? 'deadline-filter-help' : undefined, () => {
      setDeadline(state);
      setOverStageTime(false);
    });
  // shown where the official's steps have a standard time (Pekanbaru's SOP), or while it filters
  const showStageTime = (counts !== null && counts.stageOverdue !== null) || overStageTime;

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
          maxLength={QUEUE_SEARCH_MAX_LENGTH}
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
        <span className="filter-label" title={t('queue.deadlineFilterHelp')}>
          {t('queue.deadlineFilterLabel')}
        </span>
        <span id="deadline-filter-help" hidden>
          {t('queue.deadlineFilterHelp')}
        </span>
        {deadlineChip('overdue', t('queue.deadlineFilter.overdue'), counts?.deadline.overdue)}
        {deadlineChip('today', t('queue.deadlineFilter.today'), counts?.deadline.today)}
        {deadlineChip('soon', t('queue.deadlineFilter.soon'), counts?.deadline.soon)}
        {deadlineChip('on_time', t('queue.deadlineFilter.on_time'), counts?.deadline.on_time)}
        {showStageTime && (
          <>
            <span className="filter-label" title={t('queue.stageTimeFilterHelp')}>
              {t('queue.stageTimeFilterLabel')}
            </span>
            <span id="stage-time-filter-help" hidden>
              {t('queue.stageTimeFilterHelp')}
            </span>
            {chip(t('queue.stageTimeFilter'), counts?.stageOverdue, overStageTime, 'stage-time-filter-help', () => {
              setOverStageTime(true);
              setDeadline('');
            })}
          </>
        )}
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
      {searchIgnored && (
        <p className="alert info" role="status">
          {t('queue.searchIgnored')}
        </p>
      )}
      {searching && total !== null && total > 0 && <p className="search-scope muted">{t('queue.searchScope')}</p>}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {canSign && (
        <div className="selection-bar">
          <button type="button" className="button" disabled={reviewable.length === 0 || panel !== null} onClick={() => setPanel('review')}>
            {t('signing.reviewAll', { count: reviewable.length })}
          </button>
          <button type="button" className="button primary" disabled={chosen.length === 0 || panel !== null} onClick={() => setPanel('sign')}>
            {t('signing.sign', { count: chosen.length })}
          </button>
          <button type="button" className="button danger-outline" disabled={chosen.length === 0 || panel !== null} onClick={() => setPanel('reject')}>
            {t('signing.reject', { count: chosen.length })}
          </button>
        </div>
      )}
      {panel === 'review' && <SigningPanel items={reviewable} onClose={closePanel} />}
      {panel === 'sign' && <SigningPanel items={chosen} onClose={closePanel} />}
      {panel === 'reject' && <RejectPanel items={chosen} onClose={closePanel} />}
      {total === 0 && !first.isPlaceholderData && (
        <div className="empty" role="status">
          {searching ? (
            <>
              <p>{t('queue.noMatch', { search: settledSearch.trim() })}</p>
              <p className="muted">{t('queue.searchScope')}</p>
            </>
          ) : (
            <p>{deadline || overStageTime || permitTypeId ? t('queue.noneFiltered') : t('queue.empty')}</p>
          )}
        </div>
      )}
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
                        <SearchHighlight text={item.registrationNumber} words={words} />
                      </button>
                    </td>
                    <td>
                      <div className="applicant-name">
                        <SearchHighlight text={item.applicantName} words={words} />
                      </div>
                      <div className="muted">
                        NIK <SearchHighlight text={item.nik} words={words} />
                      </div>
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
