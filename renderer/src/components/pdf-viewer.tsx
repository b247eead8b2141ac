import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { GlobalWorkerOptions, PDFWorker, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import type { FileContent } from '../../../shared/contract';
import { shortHash } from '../short-hash';

GlobalWorkerOptions.workerSrc = workerUrl;

// One pdf.js worker for every document the desk opens: stepping through drafts then costs a
// parse, not a new worker thread and its script each time. Documents given `worker` never
// destroy it when they are destroyed.
let sharedWorker: PDFWorker | null = null;
function pdfWorker(): PDFWorker {
  if (!sharedWorker || sharedWorker.destroyed) sharedWorker = new PDFWorker();
  return sharedWorker;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A file to show; with `sha256`, the bytes must hash to it and the viewer says which bytes it shows. */
export type ViewerContent = FileContent & { sha256?: string };

interface ViewerProps {
  /** what to show; the viewer loads it when the key changes */
  load: () => Promise<{ ok: true; value: ViewerContent } | { ok: false; message: string }>;
  loadKey: string;
  title: string;
  /** the first page of `loadKey` is on screen (with its bytes' SHA-256 when the content named one) */
  onShown?: (loadKey: string, sha256: string | null) => void;
  /** the largest scale "fit width" and "fit page" may reach: a one-page permit stays readable without filling a wide screen */
  maxFitScale?: number;
  /** false: no text search (a one-page permit under review) */
  searchable?: boolean;
}

type Zoom = 'fit-width' | 'fit-page' | number;
/** a loaded document, with the key it was loaded for */
type Loaded = { kind: 'pdf'; pdf: PDFDocumentProxy; key: string } | { kind: 'image'; url: string; key: string };
interface Hit {
  page: number;
  /** [x, y, width, height] in PDF units of the text item that matched */
  boxes: number[][];
}

const STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

/**
 * A document in the desk: PDF through pdf.js, or a scanned JPG/PNG. Thumbnails, page
 * navigation, zoom (fit width, fit page, steps), rotation, text search with the hits marked,
 * and keys: ←/→ or PgUp/PgDn pages, + and − zoom, R rotates, F searches. A corrupt or
 * password-protected file says so instead of leaving a blank pane.
 */
export function PdfViewer({ load, loadKey, title, onShown, maxFitScale = Infinity, searchable = true }: ViewerProps) {
  const { t } = useTranslation();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const areaRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [doc, setDoc] = useState<Loaded | null>(null);
  const [pageNumber, setPageNumber] = useState(1);
  const [zoom, setZoom] = useState<Zoom>('fit-width');
  const [rotation, setRotation] = useState(0);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [message, setMessage] = useState('');
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [hitIndex, setHitIndex] = useState(0);
  const [scale, setScale] = useState(1);
  // the shown page's PDF-space → CSS-pixel (at scale 1) mapping, rotation included: where find hits go
  const [toView, setToView] = useState<((rect: number[]) => number[]) | null>(null);
  const [thumbs, setThumbs] = useState<string[]>([]);
  /** the SHA-256 of the bytes on screen, when the content named the hash it must have */
  const [fingerprint, setFingerprint] = useState<string | null>(null);
  const [shownKey, setShownKey] = useState<string | null>(null);
  const shownRef = useRef(onShown);
  useEffect(() => {
    shownRef.current = onShown;
  }, [onShown]);

  useEffect(() => {
    let cancelled = false;
    let loaded: Loaded | null = null;
    setState('loading');
    setDoc(null);
    setPageNumber(1);
    setRotation(0);
    setHits(null);
    setThumbs([]);
    setFingerprint(null);
    setShownKey(null);
    void (async () => {
      const result = await load();
      if (cancelled) return;
      if (!result.ok) {
        setMessage(result.message);
        setState('error');
        return;
      }
      const bytes = base64ToBytes(result.value.base64);
      if (result.value.sha256 !== undefined) {
        // hashed here, from the very bytes handed to pdf.js: what is shown is what the hash names
        const actual = await sha256Hex(bytes);
        if (cancelled) return;
        if (actual !== result.value.sha256) {
          setMessage(t('viewer.hashMismatch'));
          setState('error');
          return;
        }
        setFingerprint(actual);
      }
      if (result.value.mimeType.startsWith('image/')) {
        loaded = { kind: 'image', url: URL.createObjectURL(new Blob([bytes as BlobPart], { type: result.value.mimeType })), key: loadKey };
        setDoc(loaded);
        setState('ready');
        setShownKey(loadKey);
        return;
      }
      try {
        const pdf = await getDocument({ data: bytes, worker: pdfWorker(), isEvalSupported: false, standardFontDataUrl: new URL('./standard_fonts/', document.baseURI).href }).promise;
        loaded = { kind: 'pdf', pdf, key: loadKey };
        if (cancelled) return void pdf.destroy();
        setDoc(loaded);
        setState('ready');
      } catch (error) {
        if (cancelled) return;
        const name = (error as Error).name;
        setMessage(name === 'PasswordException' ? t('viewer.password') : name === 'InvalidPDFException' ? t('viewer.corrupt') : (error as Error).message);
        setState('error');
      }
    })();
    return () => {
      cancelled = true;
      if (loaded?.kind === 'pdf') void loaded.pdf.destroy();
      if (loaded?.kind === 'image') URL.revokeObjectURL(loaded.url);
    };
    // load is re-created on each render; loadKey says when the document really changed
  }, [loadKey]);

  // The main page.
  useEffect(() => {
    if (doc?.kind !== 'pdf' || !canvasRef.current) return;
    let task: { cancel(): void; promise: Promise<void> } | null = null;
    let cancelled = false;
    void doc.pdf.getPage(pageNumber).then((page) => {
      if (cancelled || !canvasRef.current) return;
      const natural = page.getViewport({ scale: 1, rotation });
      setToView(() => (rect: number[]) => natural.convertToViewportRectangle(rect));
      const area = areaRef.current;
      const width = (area?.clientWidth ?? 800) - 32;
      const height = (area?.clientHeight ?? 1000) - 32;
      const fitted = zoom === 'fit-width' ? width / natural.width : zoom === 'fit-page' ? Math.min(width / natural.width, height / natural.height) : null;
      const effective = fitted === null ? (zoom as number) : Math.min(fitted, maxFitScale);
      setScale(effective);
      const ratio = window.devicePixelRatio || 1;
      const viewport = page.getViewport({ scale: effective * ratio, rotation });
      const canvas = canvasRef.current;
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      canvas.style.width = `${viewport.width / ratio}px`;
      canvas.style.height = `${viewport.height / ratio}px`;
      canvas.dataset.rendered = 'false';
      task = page.render({ canvas, viewport });
      task.promise.then(
        () => {
          canvas.dataset.rendered = 'true';
          setShownKey(doc.key);
        },
        () => undefined,
      );
    });
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [doc, pageNumber, zoom, rotation, maxFitScale]);

  useEffect(() => {
    if (shownKey !== null && shownKey === loadKey) shownRef.current?.(shownKey, fingerprint);
  }, [shownKey, loadKey, fingerprint]);

  // Thumbnails, one after another so the main page is never kept waiting; none for one page.
  useEffect(() => {
    if (doc?.kind !== 'pdf' || doc.pdf.numPages < 2) return;
    let cancelled = false;
    void (async () => {
      const urls: string[] = [];
      for (let n = 1; n <= doc.pdf.numPages && !cancelled; n += 1) {
        const page = await doc.pdf.getPage(n);
        const viewport = page.getViewport({ scale: 0.18 });
        const canvas = document.createElement('canvas');
        canvas.width = viewport.width;
        canvas.height = viewport.height;
        await page.render({ canvas, viewport }).promise.catch(() => undefined);
        urls.push(canvas.toDataURL('image/png'));
        if (!cancelled) setThumbs([...urls]);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [doc]);

  const search = async () => {
    if (doc?.kind !== 'pdf' || !query.trim()) {
      setHits(null);
      return;
    }
    const needle = query.trim().toLocaleLowerCase('id');
    const found: Hit[] = [];
    for (let n = 1; n <= doc.pdf.numPages; n += 1) {
      const content = await (await doc.pdf.getPage(n)).getTextContent();
      const boxes = content.items
        .filter((item): item is typeof item & { str: string; transform: number[]; width: number; height: number } => 'str' in item && item.str.toLocaleLowerCase('id').includes(needle))
        .map((item) => [item.transform[4]!, item.transform[5]!, item.width, item.height || Math.abs(item.transform[3]!)]);
      if (boxes.length) found.push({ page: n, boxes });
    }
    setHits(found);
    setHitIndex(0);
    if (found[0]) setPageNumber(found[0].page);
  };

  const pages = doc?.kind === 'pdf' ? doc.pdf.numPages : 1;
  const stepZoom = (direction: 1 | -1) => {
    const current = typeof zoom === 'number' ? zoom : scale;
    const next = direction > 0 ? STEPS.find((s) => s > current + 0.01) : [...STEPS].reverse().find((s) => s < current - 0.01);
    setZoom(next ?? current);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.target as HTMLElement).tagName === 'INPUT' || event.altKey || event.ctrlKey || event.metaKey) return;
    // at the first or last page the key is left to the screen around (the review's next draft)
    if ((event.key === 'ArrowRight' || event.key === 'PageDown') && pageNumber < pages) setPageNumber(pageNumber + 1);
    else if ((event.key === 'ArrowLeft' || event.key === 'PageUp') && pageNumber > 1) setPageNumber(pageNumber - 1);
    else if (event.key === '+' || event.key === '=') stepZoom(1);
    else if (event.key === '-') stepZoom(-1);
    else if (event.key === 'r') setRotation((r) => (r + 90) % 360);
    else if (event.key === 'f') searchRef.current?.focus();
    else return;
    event.preventDefault();
  };

  const pageHits = hits?.find((h) => h.page === pageNumber);
  // each hit through the page's own viewport, so it follows the page when rotated
  const markers =
    doc?.kind === 'pdf' && pageHits && toView
      ? pageHits.boxes.map(([x, y, w, h]) => {
          const [x1, y1, x2, y2] = toView([x!, y!, x! + w!, y! + h!]) as [number, number, number, number];
          return { left: Math.min(x1, x2) * scale, top: Math.min(y1, y2) * scale, width: Math.abs(x2 - x1) * scale, height: Math.abs(y2 - y1) * scale };
        })
      : [];
  // a search that found something shows it: the first hit of the page is scrolled into view
  const firstMarker = markers[0];
  useEffect(() => {
    if (!firstMarker) return;
    areaRef.current?.querySelector('.search-hit')?.scrollIntoView({ block: 'center', inline: 'center' });
  }, [firstMarker?.left, firstMarker?.top, hitIndex]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div
      className="pdf-viewer"
      aria-label={title}
      role="region"
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-keyshortcuts="ArrowLeft ArrowRight PageUp PageDown + - R F"
      data-shown={shownKey ?? undefined}
      data-sha256={shownKey !== null && fingerprint ? fingerprint : undefined}
    >
      {fingerprint && state === 'ready' && (
        <p className="exact-bytes" data-testid="exact-bytes" title={`SHA-256 ${fingerprint}`}>
          {t('viewer.exactBytes')} <span className="muted">SHA-256</span> <code>{shortHash(fingerprint)}</code>
        </p>
      )}
      <div className="pdf-toolbar">
        <button type="button" className="button subtle" onClick={() => setPageNumber((p) => Math.max(1, p - 1))} disabled={pageNumber <= 1} aria-label={t('application.prevPage')}>
          ‹
        </button>
        <span>{state === 'ready' ? t('application.page', { page: pageNumber, pages }) : ''}</span>
        <button type="button" className="button subtle" onClick={() => setPageNumber((p) => Math.min(pages, p + 1))} disabled={pageNumber >= pages} aria-label={t('application.nextPage')}>
          ›
        </button>
        <span className="spacer" />
        <button type="button" className={`button subtle ${zoom === 'fit-width' ? 'pressed' : ''}`} aria-pressed={zoom === 'fit-width'} onClick={() => setZoom('fit-width')}>
          {t('viewer.fitWidth')}
        </button>
        <button type="button" className={`button subtle ${zoom === 'fit-page' ? 'pressed' : ''}`} aria-pressed={zoom === 'fit-page'} onClick={() => setZoom('fit-page')}>
          {t('viewer.fitPage')}
        </button>
        <button type="button" className="button subtle" onClick={() => stepZoom(-1)} aria-label={t('application.zoomOut')}>
          −
        </button>
        <span>{Math.round(scale * 100)}%</span>
        <button type="button" className="button subtle" onClick={() => stepZoom(1)} aria-label={t('application.zoomIn')}>
          +
        </button>
        <button type="button" className="button subtle" onClick={() => setRotation((r) => (r + 90) % 360)} aria-label={t('viewer.rotate')}>
          ⟳
        </button>
      </div>
      {doc?.kind === 'pdf' && searchable && (
        <form
          className="pdf-search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            if (hits && hits.length > 1 && query) {
              const next = (hitIndex + 1) % hits.length;
              setHitIndex(next);
              setPageNumber(hits[next]!.page);
            } else void search();
          }}
        >
          <input ref={searchRef} type="search" value={query} onChange={(e) => { setQuery(e.target.value); setHits(null); }} placeholder={t('viewer.search')} aria-label={t('viewer.search')} />
          <button type="submit" className="button subtle">
            {t('viewer.find')}
          </button>
          {hits && (
            <span className="muted small" role="status" data-testid="search-result">
              {hits.length ? t('viewer.hits', { count: hits.reduce((n, h) => n + h.boxes.length, 0), pages: hits.length }) : t('viewer.noHits')}
            </span>
          )}
        </form>
      )}
      <div className="pdf-body">
        {doc?.kind === 'pdf' && pages > 1 && (
          <nav className="thumbs" aria-label={t('viewer.thumbnails')}>
            {Array.from({ length: pages }, (_, i) => (
              <button key={i} type="button" className={`thumb ${pageNumber === i + 1 ? 'current' : ''}`} onClick={() => setPageNumber(i + 1)} aria-label={t('application.page', { page: i + 1, pages })} aria-current={pageNumber === i + 1 ? 'page' : undefined}>
                {thumbs[i] ? <img src={thumbs[i]} alt="" /> : <span className="thumb-placeholder" />}
                <span className="thumb-number">{i + 1}</span>
              </button>
            ))}
          </nav>
        )}
        <div className="pdf-canvas-area" ref={areaRef} tabIndex={0} role="group" aria-label={title}>
          {state === 'loading' && <p className="muted">{t('application.docLoading')}</p>}
          {state === 'error' && (
            <p className="alert error" role="alert">
              {t('application.docError', { message })}
            </p>
          )}
          {doc?.kind === 'image' && (
            <img
              className="scan"
              src={doc.url}
              alt={title}
              data-testid="image-document"
              style={{ transform: `rotate(${rotation}deg)`, width: typeof zoom === 'number' ? `${zoom * 100}%` : zoom === 'fit-width' ? '100%' : 'auto', maxHeight: zoom === 'fit-page' ? '100%' : 'none' }}
            />
          )}
          <div className="page-frame" hidden={doc?.kind !== 'pdf' || state !== 'ready'}>
            <canvas ref={canvasRef} data-testid="pdf-canvas" />
            {markers.map((box, i) => (
              <span key={i} className="search-hit" data-testid="search-hit" style={{ left: box.left, top: box.top, width: Math.max(4, box.width), height: Math.max(4, box.height) }} />
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}
