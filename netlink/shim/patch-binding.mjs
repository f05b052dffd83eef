// Install step (package.json "postinstall"): two small additions to the `netlink` package's native socket
// shim (v0.3.0, the latest), rebuilt with npm's own node-gyp. Idempotent; on any failure the prebuilt
// binary stays in place and a warning says what conntop loses. node-gyp-build loads build/Release first.
//  1. POLLERR: when a multicast overrun sets the socket error, libuv reports UV_EBADF to the poll callback and
//     0.3.0 builds an ErrnoException with a NULL syscall, which throws in C++ and aborts the process
//     (SIGABRT, so no cleanup runs). Patched: poll again and let recvmsg report ENOBUFS as an 'error' event.
//  2. SO_RCVBUFFORCE: setRecvBufferSize tries it first (needs CAP_NET_ADMIN, ignores net.core.rmem_max),
//     then falls back to SO_RCVBUF, so the event socket gets the buffer it asks for in any namespace.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MARK = '// conntop-patch v1';
const require = createRequire(import.meta.url);

function warn(msg) {
  process.stderr.write(`conntop install: warning: ${msg}\n`);
}

let pkgDir;
try {
  pkgDir = dirname(require.resolve('netlink/package.json'));
} catch {
  warn('the netlink package is not installed; nothing to patch');
  process.exit(0);
}
const src = join(pkgDir, 'src/binding.cc');
const built = join(pkgDir, 'build/Release/netlink_binding.node');
let text = readFileSync(src, 'utf8');

if (!text.includes(MARK)) {
  const pollOld = `        if (status != 0) {
            auto error = ErrnoException(obj->Env(), -status, NULL, "error when polling socket");`;
  const pollNew = `        ${MARK}: POLLERR (sk_err, e.g. ENOBUFS after a multicast overrun) arrives as UV_EBADF and
        // libuv has stopped the poll. recvmsg reports and clears the error; the socket stays usable.
        if (status == UV_EBADF && obj->open) {
            obj->watcher->start(obj->Env(), obj->write_queue.empty() ? UV_READABLE : UV_READABLE | UV_WRITABLE, PollHandler);
            obj->Recvmsg();
            return;
        }
        if (status != 0) {
            auto error = ErrnoException(obj->Env(), -status, "poll", "error when polling socket");`;
  const bufOld = `        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)))`;
  const bufNew = `        // conntop: SO_RCVBUFFORCE first (CAP_NET_ADMIN; not capped by net.core.rmem_max), then SO_RCVBUF.
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) &&
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)))`;
  if (!text.includes(pollOld) || !text.includes(bufOld)) {
    warn('netlink/src/binding.cc is not the 0.3.0 source conntop knows; not patched. An event overflow may abort conntop.');
    process.exit(0);
  }
  text = text.replace(pollOld, pollNew).replace(bufOld, bufNew);
  writeFileSync(src, text);
}

// A build newer than the patched source is already ours (repeated installs stay fast).
if (existsSync(built) && statSync(built).mtimeMs >= statSync(src).mtimeMs) process.exit(0);

const gyp = process.env.npm_config_node_gyp ?? join(dirname(process.env.npm_execpath ?? ''), '../node_modules/node-gyp/bin/node-gyp.js');
try {
  execFileSync(process.execPath, [gyp, 'rebuild'], { cwd: pkgDir, stdio: ['ignore', 'ignore', 'pipe'] });
  // The patched addon must load, or node-gyp-build would pick a broken build over the prebuilt one.
  execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(pkgDir, 'dist/raw.js'))})`], { stdio: 'ignore' });
} catch (e) {
  warn(`could not rebuild the patched netlink shim (${e instanceof Error ? e.message.split('\n')[0] : e}); using the prebuilt one. An event overflow may abort conntop; install python3, make and g++ and run npm rebuild.`);
  execFileSync('rm', ['-rf', join(pkgDir, 'build')]);
}
