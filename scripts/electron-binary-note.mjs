// Runs before `npm install`. Electron's postinstall downloads its binary from a host that
// offline or firewalled machines (this project's CI among them) cannot reach, and a failed
// download rolls the whole install back. Unless the caller decided otherwise, skip it and say so.
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD === undefined) {
  console.log('meja-izin: Electron binary download is skipped (package.json allowScripts: electron=false); run `npm run start:web` without it, or install the binary with `node node_modules/electron/install.js` where its host is reachable.');
}
