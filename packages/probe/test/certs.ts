import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Self-signed certificates for 127.0.0.1 made with openssl at test time, so that "expires in 3 days"
 * is relative to the run, not to when a fixture was committed.
 */

export const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface TestCert {
  key: string;
  cert: string;
  /** The certificate's PEM file: NODE_EXTRA_CA_CERTS makes a child process trust it. */
  certPath: string;
  notAfter: Date;
  cleanup: () => void;
}

const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/**
 * `{ days: 3 }`: valid from now for 3 days. `{ expiredDaysAgo: 2 }`: valid for the month before, ended
 * 2 days ago (openssl req cannot back-date, so that one is signed with `openssl ca -selfsign`).
 */
export function makeCert(o: { days?: number; expiredDaysAgo?: number }): TestCert {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'probe-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  if (o.expiredDaysAgo === undefined) {
    execFileSync('openssl', ['req', '-x509', ...ec, '-out', cert, '-days', String(o.days ?? 30)], { stdio: 'ignore' });
  } else {
    const csr = path.join(dir, 'req.csr');
    execFileSync('openssl', ['req', '-new', ...ec, '-out', csr], { stdio: 'ignore' });
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'serial'), '01\n');
    const cnf = path.join(dir, 'ca.cnf');
    writeFileSync(
      cnf,
      `[ ca ]\ndefault_ca = d\n[ d ]\ndir = ${dir}\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}\nserial = ${dir}/serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\n[ p ]\ncommonName = supplied\n`,
    );
    const end = new Date(Date.now() - o.expiredDaysAgo * 86_400_000);
    const start = new Date(end.getTime() - 30 * 86_400_000);
    execFileSync('openssl', ['ca', '-batch', '-config', cnf, '-selfsign', '-keyfile', key, '-in', csr, '-out', cert, '-startdate', stamp(start), '-enddate', stamp(end), '-notext'], { stdio: 'ignore' });
  }
  const notAfter = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-enddate'], { encoding: 'utf8' }).trim().replace(/^notAfter=/, '');
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), certPath: cert, notAfter: new Date(notAfter), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
