// Install and build step (no runtime code): conntop's patches to the `netlink` package's native socket shim
// (v0.3.0, the latest), as a pure text transformation of its src/binding.cc. Used by the install step
// (patch-binding.mjs) and by the prebuild script (prebuild.mjs), so both build exactly the same source.
//  1. POLLERR: when a multicast overrun sets the socket error, libuv reports UV_EBADF to the poll callback and
//     0.3.0 builds an ErrnoException with a NULL syscall, which throws in C++ and aborts the process
//     (SIGABRT, so no cleanup runs). Patched: poll again and let recvmsg report ENOBUFS as an 'error' event.
//  2. SO_RCVBUFFORCE: setRecvBufferSize tries it first (needs CAP_NET_ADMIN, ignores net.core.rmem_max),
//     then falls back to SO_RCVBUF, so the event socket gets the buffer it asks for in any namespace.
//  3. (v2) With a fixed receive size (messagePeeking false), every datagram lands in one ArrayBuffer made
//     once per socket and the callback gets a Uint8Array view of it, valid only during the callback. 0.3.0
//     mallocs a fresh msgBufferSize buffer per datagram, freed by a GC finalizer: at 50k flows a refresh
//     left 15-50 MiB of dead 32 KiB buffers waiting for a scavenge (RSS), and paid malloc and finalizers.

export const MARK = '// conntop-patch v1';
export const MARK2 = '// conntop-patch v2';
/** The patch level this file produces from a pristine 0.3.0 source. */
export const PATCH_LEVEL = 2;

/**
 * Applies the patches conntop knows to `text` (idempotent: an already patched source comes back unchanged).
 * Returns the new text, the level reached (0 unpatched, 1 overflow-safe + SO_RCVBUFFORCE, 2 also the reused
 * receive buffer) and, when a step did not apply, why.
 * @param {string} text
 * @returns {{ text: string, level: number, problem?: string }}
 */
export function patchBindingSource(text) {
// The patch steps keep their top-level indentation: their template literals are byte-exact source text.
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
    return { text, level: 0, problem: 'netlink/src/binding.cc is not the 0.3.0 source conntop knows; not patched. An event overflow may abort conntop.' };
  }
  text = text.replace(pollOld, pollNew).replace(bufOld, bufNew);
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
    return { text, level: 1, problem: 'netlink/src/binding.cc differs from the 0.3.0 source conntop knows; the reused receive buffer is not added.' };
  }
  text = text.replace(recvOld, recvNew).replace(sendOld, sendNew).replace(memberOld, memberNew);
}
return { text, level: 2 };
}
