// Install step (package.json "postinstall"): two small additions to the `netlink` package's native socket
// shim (v0.3.0, the latest), rebuilt with npm's own node-gyp. Idempotent; on any failure the prebuilt
// binary stays in place and a warning says what conntop loses. node-gyp-build loads build/Release first.
//  1. POLLERR: when a multicast overrun sets the socket error, libuv reports UV_EBADF to the poll callback and
//     0.3.0 builds an ErrnoException with a NULL syscall, which throws in C++ and aborts the process
//     (SIGABRT, so no cleanup runs). Patched: poll again and let recvmsg report ENOBUFS as an 'error' event.
//  2. SO_RCVBUFFORCE: setRecvBufferSize tries it first (needs CAP_NET_ADMIN, ignores net.core.rmem_max),
//     then falls back to SO_RCVBUF, so the event socket gets the buffer it asks for in any namespace.
//  3. (v2) With a fixed receive size (messagePeeking false), every datagram lands in one ArrayBuffer made
//     once per socket and the callback gets a Uint8Array view of it, valid only during the callback. 0.3.0
//     mallocs a fresh msgBufferSize buffer per datagram, freed by a GC finalizer: at 50k flows a refresh
//     left 15-50 MiB of dead 32 KiB buffers waiting for a scavenge (RSS), and paid malloc and finalizers.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MARK = '// conntop-patch v1';
const MARK2 = '// conntop-patch v2';
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

if (!text.includes(MARK2)) {
  const recvOld = `    void Recvmsg() {
        // Prevent loop starvation`;
  const recvNew = `    void Recvmsg() {
        if (msg_buffer != 0) return RecvmsgReused();
        // Prevent loop starvation`;
  const sendOld = `    void Sendmsg() {`;
  const sendNew = `    ${MARK}: a fixed receive size reads every datagram into one ArrayBuffer made once per socket
    // and passes a Uint8Array view of it: no malloc and no GC finalizer per datagram. The view is only valid
    // during the callback (the next datagram overwrites it); conntop's callbacks are synchronous.
    void RecvmsgReused() {
        Napi::Env env = Env();
        Napi::HandleScope scope (env);
        if (recv_ab.IsEmpty())
            recv_ab = Napi::Persistent(Napi::ArrayBuffer::New(env, msg_buffer));
        int count = 32;
        while (count-- > 0) {
            Napi::HandleScope inner (env);
            Napi::ArrayBuffer ab = recv_ab.Value();
            struct sockaddr_nl addr {};
            struct iovec iov {};
            struct msghdr hdr {};
            hdr.msg_name = &addr;
            hdr.msg_namelen = sizeof(addr);
            hdr.msg_iov = &iov;
            hdr.msg_iovlen = 1;
            iov.iov_base = ab.Data();
            iov.iov_len = msg_buffer;
            int size = 0;
            do {
                size = recvmsg(fd, &hdr, MSG_TRUNC);
            } while (size == -1 && errno == EINTR);
            if (size == -1) {
                if (!(errno == EAGAIN || errno == EWOULDBLOCK)) {
                    auto error = ErrnoException(env, errno, "recvmsg", "Error when receiving Netlink message");
                    error_callback.MakeCallback(Value(), { error.Value() }, *async_res);
                }
                break;
            }
            auto view = Napi::Uint8Array::New(env, std::min((size_t)size, msg_buffer), ab, 0);
            auto rinfo = nlsockaddrToObject(env, addr, hdr.msg_namelen);
            if (hdr.msg_flags & MSG_TRUNC)
                rinfo["truncated"] = Napi::Number::New(env, size);
            read_callback.MakeCallback(Value(), { view, rinfo }, *async_res);
            if (fd == -1) break;
        }
    }

    void Sendmsg() {`;
  const memberOld = `    size_t msg_buffer;
`;
  const memberNew = `    size_t msg_buffer;
    Napi::Reference<Napi::ArrayBuffer> recv_ab; // conntop-patch v2: the reused receive buffer
`;
  if (!text.includes(recvOld) || !text.includes(sendOld) || !text.includes(memberOld)) {
    warn('netlink/src/binding.cc differs from the 0.3.0 source conntop knows; the reused receive buffer is not added.');
  } else {
    text = text.replace(recvOld, recvNew).replace(sendOld, sendNew).replace(memberOld, memberNew);
    writeFileSync(src, text);
  }
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
