import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import type { FileContent } from '../../../shared/contract';

GlobalWorkerOptions.workerSrc = workerUrl;

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

interface ViewerProps {
  /** what to show; the viewer loads it when the key changes */
  load: () => Promise<{ ok: true; value: FileContent } | { ok: false; message: string }>;
  loadKey: string;
  title: string;
}

type Zoom = 'fit-width' | 'fit-page' | number;
type Loaded = { kind: 'pdf'; pdf: PDFDocumentProxy } | { kind: 'image'; url: string };
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
export function PdfViewer({ load, loadKey, title }: ViewerProps) {
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
  const [thumbs, setThumbs] = useState<string[]>([]);

  useEffect(() => {
    let cancelled = false;
    let loaded: Loaded | null = null;
    setState('loading');
    setDoc(null);
    setPageNumber(1);
    setRotation(0);
    setHits(null);
    setThumbs([]);
    void (async () => {
      const result = await load();
      if (cancelled) return;
      if (!result.ok) {
        setMessage(result.message);
        setState('error');
        return;
      }
      const bytes = base64ToBytes(result.value.base64);
      if (result.value.mimeType.startsWith('image/')) {
        loaded = { kind: 'image', url: URL.createObjectURL(new Blob([bytes as BlobPart], { type: result.value.mimeType })) };
        setDoc(loaded);
        setState('ready');
        return;
      }
      try {
        const pdf = await getDocument({ data: bytes, isEvalSupported: false, standardFontDataUrl: new URL('./standard_fonts/', document.baseURI).href }).promise;
        loaded = { kind: 'pdf', pdf };
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
      const area = areaRef.current;
      const width = (area?.clientWidth ?? 800) - 32;
      const height = (area?.clientHeight ?? 1000) - 32;
      const effective = zoom === 'fit-width' ? width / natural.width : zoom === 'fit-page' ? Math.min(width / natural.width, height / natural.height) : zoom;
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
        () => (canvas.dataset.rendered = 'true'),
        () => undefined,
      );
    });
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [doc, pageNumber, zoom, rotation]);

  // Thumbnails, one after another so the main page is never kept waiting.
  useEffect(() => {
    if (doc?.kind !== 'pdf') return;
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
    if (event.key === 'ArrowRight' || event.key === 'PageDown') setPageNumber((p) => Math.min(pages, p + 1));
    else if (event.key === 'ArrowLeft' || event.key === 'PageUp') setPageNumber((p) => Math.max(1, p - 1));
    else if (event.key === '+' || event.key === '=') stepZoom(1);
    else if (event.key === '-') stepZoom(-1);
    else if (event.key === 'r') setRotation((r) => (r + 90) % 360);
    else if (event.key === 'f') searchRef.current?.focus();
    else return;
    event.preventDefault();
  };

  const pageHits = hits?.find((h) => h.page === pageNumber);
  const markers = doc?.kind === 'pdf' && pageHits && rotation === 0 ? pageHits.boxes : [];
  const pageHeight = canvasRef.current ? parseFloat(canvasRef.current.style.height || '0') / scale : 0;

  return (
    <div className="pdf-viewer" aria-label={title} role="region" tabIndex={0} onKeyDown={onKeyDown} aria-keyshortcuts="ArrowLeft ArrowRight PageUp PageDown + - R F">
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
      {doc?.kind === 'pdf' && (
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
            {markers.map(([x, y, w, h], i) => (
              <span
                key={i}
                className="search-hit"
                data-testid="search-hit"
                style={{ left: x! * scale, top: (pageHeight - y! - h!) * scale, width: Math.max(4, w! * scale), height: Math.max(4, h! * scale) }}
              />
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}
