import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { VerificationReport } from '../../../shared/contract';
import { invoke } from '../desk-api';
import { formatDate, formatDateTime } from '../format';
import { useErrorText } from '../use-error-text';

function toBase64(bytes: ArrayBuffer): string {
  const view = new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** "Verifikasi dokumen": open or drop a PDF; the desk checks its signature and the registry. */
export function VerifyScreen({ onBack }: { onBack(): void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [report, setReport] = useState<VerificationReport | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);

  const check = async (file: File) => {
    setBusy(true);
    setError(null);
    setReport(null);
    setFileName(file.name);
    const result = await invoke('verification.check', { base64: toBase64(await file.arrayBuffer()) });
    setBusy(false);
    if (result.ok) setReport(result.value);
    else setError(errorText(result.error));
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) void check(file);
  };

  // the date with its year (a back-dated claim must show it), then the time in the office's zone
  const when = (iso: string) => {
    const dateTime = formatDateTime(iso, i18n.language);
    const comma = dateTime.indexOf(', ');
    return `${formatDate(iso, i18n.language)}${comma > 0 ? `, ${dateTime.slice(comma + 2)}` : ` ${dateTime}`}`;
  };
  const integrity = !report ? null : !report.signed ? t('verify.unsigned') : report.intact ? t('verify.intact') : t('verify.altered');
  const problemText = (problem: VerificationReport['problems'][number]) =>
    t(`verify.problem.${problem}`, { n: problem === 'UPDATE_AFTER_SIGNING' ? report?.updatesAfterSigning : report?.bytesOutsideSignedRanges });
  return (
    <section className="verify-screen" aria-labelledby="verify-title">
      <button type="button" className="button subtle back" onClick={onBack}>
        {t('application.back')}
      </button>
      <h1 id="verify-title">{t('verify.title')}</h1>
      <p className="muted">{t('verify.intro')}</p>
      <div
        className={`drop-zone ${over ? 'over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>{t('verify.drop')}</p>
        <label className="button primary">
          {t('verify.choose')}
          <input
            type="file"
            accept="application/pdf,.pdf"
            hidden
            aria-label={t('verify.choose')}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void check(file);
            }}
          />
        </label>
      </div>
      {busy && <p className="muted">{t('verify.checking')}</p>}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <section className="panel" aria-label={fileName ?? t('verify.title')}>
          <h2>{fileName}</h2>
          <dl className="facts">
            <dt>{t('verify.integrity')}</dt>
            <dd data-testid="verify-integrity">
              <span className={`verdict ${report.signed && report.intact ? 'good' : 'bad'}`}>{integrity}</span>
              {report.problems.length > 0 && (
                <ul className="problems" data-testid="verify-problems">
                  {report.problems.map((problem) => (
                    <li key={problem} data-problem={problem}>
                      {problemText(problem)}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>{t('verify.registry')}</dt>
            <dd className={`verdict ${report.registry === 'valid' ? 'good' : 'bad'}`} data-testid="verify-registry">
              {t(`verify.registryStatus.${report.registry}`)}
            </dd>
            {report.signerName && (
              <>
                <dt>{t('verify.signer')}</dt>
                <dd data-testid="verify-signer">{report.signerName}</dd>
              </>
            )}
            {report.signerSerialNumber && (
              <>
                <dt>{t('verify.signerSerial')}</dt>
                <dd>{report.signerSerialNumber}</dd>
              </>
            )}
            {report.certificateIssuer && (
              <>
                <dt>{t('verify.issuer')}</dt>
                <dd>{report.certificateIssuer}</dd>
              </>
            )}
            {report.signed && (
              <>
                <dt>{t('verify.signingTime')}</dt>
                <dd data-testid="verify-signing-time">
                  {report.timeStampedAt ? (
                    <>
                      <time dateTime={report.timeStampedAt}>{when(report.timeStampedAt)}</time> <span className="muted">— {t('verify.timeStamped')}</span>
                    </>
                  ) : report.claimedSigningTime ? (
                    <>
                      <time dateTime={report.claimedSigningTime}>{when(report.claimedSigningTime)}</time> <span className="muted">— {t('verify.claimedTime')}</span>
                    </>
                  ) : (
                    t('verify.noTime')
                  )}
                </dd>
              </>
            )}
            {report.certificateTrusted !== null && (
              <>
                <dt>{t('verify.trusted')}</dt>
                <dd className={`verdict ${report.certificateTrusted ? 'good' : 'bad'}`} data-testid="verify-trust">
                  {report.certificateTrusted ? t('verify.trustedYes') : t('verify.trustedNo')}
                  {report.certificateProblem && <span className="reason">: {t(`errors.${report.certificateProblem}`)}</span>}
                </dd>
                <dt>{t('verify.validationTime')}</dt>
                <dd>
                  <time dateTime={report.validationTime}>{when(report.validationTime)}</time>{' '}
                  <span className="muted">— {report.timeStampedAt ? t('verify.validationAtTimeStamp') : t('verify.validationNow')}</span>
                </dd>
              </>
            )}
            {report.certificateValidFrom && report.certificateValidTo && (
              <>
                <dt>{t('verify.certificate')}</dt>
                <dd>
                  {formatDate(report.certificateValidFrom, i18n.language)} – {formatDate(report.certificateValidTo, i18n.language)}
                </dd>
              </>
            )}
            {report.certificateExpired !== null && (
              <>
                <dt>{t('verify.expired')}</dt>
                <dd className={report.certificateExpired ? 'verdict bad' : undefined} data-testid="verify-expired">
                  {report.certificateExpired ? t('verify.expiredYes') : t('verify.expiredNo')}
                </dd>
              </>
            )}
            {report.signed && (
              <>
                <dt>{t('verify.revocation')}</dt>
                <dd className={report.revocation === 'revoked' ? 'verdict bad' : undefined} data-testid="verify-revocation">
                  {t(`verify.revocationStatus.${report.revocation}`)}
                </dd>
              </>
            )}
            {report.keyUsageOk !== null && (
              <>
                <dt>{t('verify.keyUsage')}</dt>
                <dd className={report.keyUsageOk ? undefined : 'verdict bad'}>{report.keyUsageOk ? t('verify.keyUsageOk') : t('verify.keyUsageBad')}</dd>
              </>
            )}
            {report.signed && (
              <>
                <dt>{t('verify.pades')}</dt>
                <dd data-testid="verify-pades">{report.padesLevel ? t(`verify.padesLevel.${report.padesLevel}`) : t('verify.padesNone')}</dd>
                <dt>{t('verify.docMdp')}</dt>
                <dd data-testid="verify-docmdp">{report.docMdpPermissions ? t(`verify.docMdpLevel.${report.docMdpPermissions}`) : t('verify.docMdpNone')}</dd>
              </>
            )}
            {report.permitNumber && (
              <>
                <dt>{t('verify.permitNumber')}</dt>
                <dd>{report.permitNumber}</dd>
              </>
            )}
            {report.holderName && (
              <>
                <dt>{t('verify.holder')}</dt>
                <dd>{report.holderName}</dd>
              </>
            )}
            <dt>{t('verify.sha256')}</dt>
            <dd className="small">
              <code>{report.sha256}</code>
            </dd>
          </dl>
        </section>
      )}
    </section>
  );
}
