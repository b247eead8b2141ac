import { useEffect, useRef, useState } from 'react';
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

interface PdfViewerProps {
  /** what to show; the viewer loads it when the key changes */
  load: () => Promise<{ ok: true; value: FileContent } | { ok: false; message: string }>;
  loadKey: string;
  title: string;
}

/** One document in pdf.js: page by page, with zoom; errors are said, never a blank pane. */
export function PdfViewer({ load, loadKey, title }: PdfViewerProps) {
  const { t } = useTranslation();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [pageNumber, setPageNumber] = useState(1);
  const [scale, setScale] = useState(1.25);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [message, setMessage] = useState('');

  useEffect(() => {
    let cancelled = false;
    let loaded: PDFDocumentProxy | null = null;
    setState('loading');
    setPdf(null);
    setPageNumber(1);
    void (async () => {
      const result = await load();
      if (cancelled) return;
      if (!result.ok) {
        setMessage(result.message);
        setState('error');
        return;
      }
      try {
        loaded = await getDocument({
          data: base64ToBytes(result.value.base64),
          isEvalSupported: false,
          standardFontDataUrl: new URL('./standard_fonts/', document.baseURI).href,
        }).promise;
        if (cancelled) return void loaded.destroy();
        setPdf(loaded);
        setState('ready');
      } catch (error) {
        if (cancelled) return;
        setMessage((error as Error).message);
        setState('error');
      }
    })();
    return () => {
      cancelled = true;
      void loaded?.destroy();
    };
    // load is re-created on each render; loadKey says when the document really changed
  }, [loadKey]);

  useEffect(() => {
    if (!pdf || !canvasRef.current) return;
    let task: { cancel(): void; promise: Promise<void> } | null = null;
    let cancelled = false;
    void pdf.getPage(pageNumber).then((page) => {
      if (cancelled || !canvasRef.current) return;
      const viewport = page.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
      const canvas = canvasRef.current;
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      canvas.style.width = `${viewport.width / (window.devicePixelRatio || 1)}px`;
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
  }, [pdf, pageNumber, scale]);

  const pages = pdf?.numPages ?? 0;
  return (
    <div className="pdf-viewer" aria-label={title} role="region">
      <div className="pdf-toolbar">
        <button type="button" className="button subtle" onClick={() => setPageNumber((p) => Math.max(1, p - 1))} disabled={pageNumber <= 1} aria-label={t('application.prevPage')}>
          ‹
        </button>
        <span>{pages ? t('application.page', { page: pageNumber, pages }) : ''}</span>
        <button type="button" className="button subtle" onClick={() => setPageNumber((p) => Math.min(pages, p + 1))} disabled={pageNumber >= pages} aria-label={t('application.nextPage')}>
          ›
        </button>
        <span className="spacer" />
        <button type="button" className="button subtle" onClick={() => setScale((s) => Math.max(0.5, s - 0.25))} aria-label={t('application.zoomOut')}>
          −
        </button>
        <span>{Math.round(scale * 100)}%</span>
        <button type="button" className="button subtle" onClick={() => setScale((s) => Math.min(3, s + 0.25))} aria-label={t('application.zoomIn')}>
          +
        </button>
      </div>
      <div className="pdf-canvas-area">
        {state === 'loading' && <p className="muted">{t('application.docLoading')}</p>}
        {state === 'error' && (
          <p className="alert error" role="alert">
            {t('application.docError', { message })}
          </p>
        )}
        <canvas ref={canvasRef} data-testid="pdf-canvas" hidden={state !== 'ready'} />
      </div>
    </div>
  );
}
