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
//  4. (v3) Batches, for the event socket: setBatch(meta, bytes) reads datagrams back to back into that one
//     buffer and calls JS once per batch (meta: count, then each datagram's received and real size), so a
//     burst of events is one JS entry instead of one MakeCallback (async context, microtask checkpoint) each;
//     setReadDelay(ms) stops polling for that long after a read that got something, so events arriving
//     meanwhile are read in one wake-up; drain() reads what is queued now, whatever the delay.
//  5. (v4) Read-ahead, for the request socket that receives dumps: the kernel builds each dump datagram inside the
//     reader's recvmsg, so reading on the JS thread puts the kernel's dump and our decoding on one core, one
//     after the other. setReadAhead(meta, bytes) moves the reads to a libuv threadpool thread, double-buffered:
//     while JS handles one batch (the same callback and meta format as v3's batches), the thread reads the next,
//     and so drives the kernel's dump on the other core. Reading stops at the end of a reply (NLMSG_DONE, an
//     error or ack, a message without NLM_F_MULTI) or when nothing is queued, and polling resumes.

export const MARK = '// conntop-patch v1';
export const MARK2 = '// conntop-patch v2';
export const MARK3 = '// conntop-patch v3';
export const MARK4 = '// conntop-patch v4';
/** The patch level this file produces from a pristine 0.3.0 source. */
export const PATCH_LEVEL = 4;

/**
 * RecvmsgBatch's read loop as v3 writes it: v3 inserts it and v4 replaces it with ReadDatagrams (shared with the
 * read-ahead thread), so one text serves both, and a v3 source upgrades to v4 exactly. Byte-exact source.
 */
const V3_BATCH_LOOP = `            size_t off = 0, n = 0;
            int err = 0;
            bool empty = false;
            while (n < slots && batch_bytes - off >= msg_buffer) {
                // No sender address: netlink sockets here hear only the kernel.
                struct iovec iov { base + off, msg_buffer };
                struct msghdr hdr {};
                hdr.msg_iov = &iov;
                hdr.msg_iovlen = 1;
                int size = 0;
                do {
                    size = recvmsg(fd, &hdr, MSG_TRUNC);
                } while (size == -1 && errno == EINTR);
                if (size == -1) {
                    if (errno == EAGAIN || errno == EWOULDBLOCK) empty = true;
                    else err = errno;
                    break;
                }
                size_t got = std::min((size_t)size, msg_buffer);
                m[1 + 2 * n] = (int32_t)got;
                m[2 + 2 * n] = size;
                n++;
                off += (got + 7) & ~(size_t)7;
            }
            if (n > 0) {
                m[0] = (int32_t)n;
                last_read += n;`;

/**
 * Applies the patches conntop knows to `text` (idempotent: an already patched source comes back unchanged).
 * Returns the new text, the level reached (0 unpatched, 1 overflow-safe + SO_RCVBUFFORCE, 2 also the reused
 * receive buffer, 3 also batches, the read delay and drain, 4 also the read-ahead thread) and, when a step did not apply, why.
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

if (!text.includes(MARK3)) {
  const steps = [
    [`    void Recvmsg() {
        if (msg_buffer != 0) return RecvmsgReused();`, `    void Recvmsg() {
        if (!batch_meta.IsEmpty()) return RecvmsgBatch(4);
        if (msg_buffer != 0) return RecvmsgReused();`],
    [`        if (events & UV_READABLE)
            obj->Recvmsg();
`, `        if (events & UV_READABLE) {
            obj->Recvmsg();
            if (obj->open && obj->read_delay_ms > 0 && obj->last_read > 0) obj->PauseReading();
        }
`],
    [`        watcher->start(env, UV_READABLE | UV_WRITABLE, PollHandler);`, `        watcher->start(env, (paused ? 0 : UV_READABLE) | UV_WRITABLE, PollHandler);`],
    [`            watcher->start(Env(), UV_READABLE, PollHandler);`, `            watcher->start(Env(), paused ? 0 : UV_READABLE, PollHandler); // conntop-patch v3: a pause holds`],
    [`        timer.reset();
        // watcher has to be closed before its fd`, `        timer.reset();
        delay_timer.reset();
        // watcher has to be closed before its fd`],
    [`            InstanceMethod<&Socket::SetSendBufferSize>("setSendBufferSize"),
`, `            InstanceMethod<&Socket::SetSendBufferSize>("setSendBufferSize"),
            InstanceMethod<&Socket::SetBatch>("setBatch"),
            InstanceMethod<&Socket::SetReadDelay>("setReadDelay"),
            InstanceMethod<&Socket::Drain>("drain"),
`],
    [`    void Sendmsg() {`, `    ${MARK3}: batches. Datagrams are read back to back into the reused buffer (each at an 8-byte
    // aligned offset, each read offered at least msg_buffer bytes, so truncation is as before) and JS is
    // called once per batch with a view of the used part and the meta array: meta[0] the count, then per
    // datagram the bytes received and its real size (larger when truncated). At most \`rounds\` batches per call
    // (loop starvation), or until the queue is empty; an error is reported after the datagrams before it.
    void RecvmsgBatch(int rounds) {
        Napi::Env env = Env();
        Napi::HandleScope scope (env);
        last_read = 0;
        if (recv_ab.IsEmpty())
            recv_ab = Napi::Persistent(Napi::ArrayBuffer::New(env, batch_bytes));
        while (rounds-- > 0) {
            Napi::HandleScope inner (env);
            Napi::ArrayBuffer ab = recv_ab.Value();
            Napi::Int32Array meta = batch_meta.Value();
            char* base = (char*) ab.Data();
            int32_t* m = meta.Data();
            size_t slots = (meta.ElementLength() - 1) / 2;
${V3_BATCH_LOOP}
                auto view = Napi::Uint8Array::New(env, off, ab, 0);
                read_callback.MakeCallback(Value(), { view, meta }, *async_res);
                if (fd == -1) return;
            }
            if (err != 0) {
                auto error = ErrnoException(env, err, "recvmsg", "Error when receiving Netlink message");
                error_callback.MakeCallback(Value(), { error.Value() }, *async_res);
                return;
            }
            if (empty) return;
        }
    }

    // conntop-patch v3: after a read that got something, stop polling for read_delay_ms: what arrives meanwhile
    // is read in one wake-up when the timer fires (then polling resumes, or pauses again if it read more).
    // Sends keep polling for writability meanwhile, and their completion does not end the pause.
    void PauseReading() {
        paused = true;
        watcher->start(Env(), write_queue.empty() ? 0 : UV_WRITABLE, PollHandler);
        delay_timer->start(Env(), DelayHandler, read_delay_ms, 0);
    }

    static void DelayHandler(uv_timer_t* handle) {
        Socket* obj = static_cast<Socket*>(handle->data);
        if (!obj->open) return;
        Napi::HandleScope scope (obj->Env());
        obj->paused = false;
        obj->watcher->start(obj->Env(), obj->write_queue.empty() ? UV_READABLE : UV_READABLE | UV_WRITABLE, PollHandler);
        obj->Recvmsg();
        if (obj->open && obj->last_read > 0) obj->PauseReading();
    }

    void SetBatch(const CallbackInfo& info) {
        Napi::Env env = info.Env();
        CheckOpen(env);
        if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
            throw Napi::TypeError::New(env, "setBatch: meta must be an Int32Array");
        auto meta = info[0].As<Napi::Int32Array>();
        size_t bytes = (size_t) Napi::Number(env, info[1]).Int64Value();
        if (msg_buffer == 0 || meta.ElementLength() < 3 || bytes < msg_buffer)
            throw Napi::RangeError::New(env, "setBatch: needs a fixed receive size, room for one datagram and its meta");
        batch_meta = Napi::Persistent(meta);
        batch_bytes = bytes;
        recv_ab.Reset(); // made again at batch_bytes on the next read
    }

    void SetReadDelay(const CallbackInfo& info) {
        Napi::Env env = info.Env();
        CheckOpen(env);
        double ms = Napi::Number(env, info[0]).DoubleValue();
        if (!(ms >= 0 && ms <= 1000) || batch_meta.IsEmpty())
            throw Napi::RangeError::New(env, "setReadDelay: 0 to 1000 ms, after setBatch");
        if (!delay_timer) {
            uv_loop_t* loop = nullptr;
            NAPI_THROW_IF_FAILED_VOID(env, napi_get_uv_event_loop(env, &loop));
            delay_timer = UvTimer::New(env, loop);
            delay_timer->setData(this);
        }
        read_delay_ms = (uint64_t) ms;
    }

    void Drain(const CallbackInfo& info) {
        CheckOpen(info.Env());
        if (batch_meta.IsEmpty()) return Recvmsg();
        RecvmsgBatch(1 << 30);
    }

    void Sendmsg() {`],
    [`    Napi::Reference<Napi::ArrayBuffer> recv_ab; // conntop-patch v2: the reused receive buffer
`, `    Napi::Reference<Napi::ArrayBuffer> recv_ab; // conntop-patch v2: the reused receive buffer
    Napi::Reference<Napi::Int32Array> batch_meta; // conntop-patch v3: set by setBatch
    size_t batch_bytes = 0;
    size_t last_read = 0;
    uint64_t read_delay_ms = 0;
    bool paused = false; // not polling for reads until delay_timer fires
    std::unique_ptr<UvTimer, UvTimer::Deleter> delay_timer;
`],
  ];
  if (steps.some(([from]) => !text.includes(from))) {
    return { text, level: 2, problem: 'netlink/src/binding.cc differs from the 0.3.0 source conntop knows; event batches are not added.' };
  }
  for (const [from, to] of steps) text = text.replace(from, to);
}
if (!text.includes(MARK4)) {
  const steps = [
    [V3_BATCH_LOOP, `            // conntop-patch v4: the loop the read-ahead thread shares (ReadDatagrams).
            ReadResult rr = ReadDatagrams(fd, base, batch_bytes, msg_buffer, m, slots, false);
            size_t n = (size_t) m[0];
            size_t off = rr.off;
            int err = rr.err;
            bool empty = rr.empty;
            if (n > 0) {
                last_read += n;`],
    [`    void SetBatch(const CallbackInfo& info) {
        Napi::Env env = info.Env();
        CheckOpen(env);
        if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
            throw Napi::TypeError::New(env, "setBatch: meta must be an Int32Array");
        auto meta = info[0].As<Napi::Int32Array>();
        size_t bytes = (size_t) Napi::Number(env, info[1]).Int64Value();
        if (msg_buffer == 0 || meta.ElementLength() < 3 || bytes < msg_buffer)
            throw Napi::RangeError::New(env, "setBatch: needs a fixed receive size, room for one datagram and its meta");
        batch_meta`, `    void SetBatch(const CallbackInfo& info) {
        size_t bytes = 0;
        auto meta = BatchArgs(info, "setBatch", "setBatch: needs a fixed receive size, room for one datagram and its meta", &bytes);
        batch_meta`],
    [`    void Recvmsg() {
        if (!batch_meta.IsEmpty()) return RecvmsgBatch(4);`, `    void Recvmsg() {
        if (ahead_on) return StartAhead();
        if (!batch_meta.IsEmpty()) return RecvmsgBatch(4);`],
    [`        watcher.reset();
        fd.reset();`, `        watcher.reset();
        // conntop-patch v4: a reader thread may be inside recvmsg on fd; it is closed when that read completes.
        if (ahead_busy) ahead_orphan = true;
        else fd.reset();`],
    [`            InstanceMethod<&Socket::Drain>("drain"),
`, `            InstanceMethod<&Socket::Drain>("drain"),
            InstanceMethod<&Socket::SetReadAhead>("setReadAhead"),
`],
    [`    void Drain(const CallbackInfo& info) {
        CheckOpen(info.Env());`, `    void Drain(const CallbackInfo& info) {
        CheckOpen(info.Env());
        if (ahead_on) return; // conntop-patch v4: the reader thread owns the reads`],
    [`    void Sendmsg() {`, `    ${MARK4}: read-ahead on a libuv threadpool thread, double-buffered. A readable socket queues a
    // read into buffer ahead_cur (polling for reads stops meanwhile); when it completes, on the JS thread, the
    // next read into the other buffer is queued first and then JS gets this batch, so the kernel builds the
    // next datagrams (inside the thread's recvmsg) while JS decodes these. The thread touches only the fd
    // number, its own buffer and its own meta; the worker holds the JS object, so a close during a read only
    // marks the fd, and the read's completion closes it.
    class AheadWorker : public Napi::AsyncWorker {
      public:
        AheadWorker(Napi::Env env, Socket* s, int idx, int fd):
            Napi::AsyncWorker(env, "netlink:readAhead"), sock(s), idx(idx), fd(fd), self(Napi::Persistent(s->Value())) {}
        void Execute() override { sock->AheadRead(idx, fd); }
        void OnOK() override { sock->AheadDone(idx); }
      private:
        Socket* sock;
        int idx;
        int fd;
        Napi::ObjectReference self;
    };

    // True when the datagram at p ends a reply: NLMSG_DONE, NLMSG_ERROR (errors and acks), or a message that
    // is not part of a multipart dump. A wrong guess costs only a wake-up: reading resumes by polling.
    static bool EndsReply(const char* p, size_t len) {
        while (len >= sizeof(struct nlmsghdr)) {
            const struct nlmsghdr* h = (const struct nlmsghdr*) p;
            if (h->nlmsg_len < sizeof(struct nlmsghdr) || h->nlmsg_len > len) return true;
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR || !(h->nlmsg_flags & NLM_F_MULTI)) return true;
            size_t step = NLMSG_ALIGN(h->nlmsg_len);
            if (step >= len) break;
            p += step;
            len -= step;
        }
        return false;
    }

    // conntop-patch v4: datagrams read back to back into base, each at an 8-byte aligned offset and each read
    // offered \`chunk\` bytes (so truncation is as for single reads), until \`slots\` datagrams or less than a
    // chunk of room (full), an empty queue, an error, or (with stop_at_end) a datagram that ends a reply. m[0]
    // gets the count, then each datagram's bytes received and real size (larger when truncated). Makes no N-API
    // call: RecvmsgBatch runs it on the JS thread, the read-ahead on a threadpool thread. No sender address:
    // netlink sockets here hear only the kernel.
    struct ReadResult { size_t off = 0; int err = 0; bool empty = false; bool full = false; };
    static ReadResult ReadDatagrams(int sfd, char* base, size_t bytes, size_t chunk, int32_t* m, size_t slots, bool stop_at_end) {
        ReadResult r;
        size_t n = 0;
        for (;;) {
            if (n >= slots || bytes - r.off < chunk) {
                r.full = true;
                break;
            }
            struct iovec iov { base + r.off, chunk };
            struct msghdr hdr {};
            hdr.msg_iov = &iov;
            hdr.msg_iovlen = 1;
            int size = 0;
            do {
                size = recvmsg(sfd, &hdr, MSG_TRUNC | MSG_DONTWAIT);
            } while (size == -1 && errno == EINTR);
            if (size == -1) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) r.empty = true;
                else r.err = errno;
                break;
            }
            size_t got = std::min((size_t)size, chunk);
            m[1 + 2 * n] = (int32_t)got;
            m[2 + 2 * n] = size;
            n++;
            bool end = stop_at_end && EndsReply(base + r.off, got);
            r.off += (got + 7) & ~(size_t)7;
            if (end) break;
        }
        m[0] = (int32_t)n;
        return r;
    }

    // On the threadpool thread: datagrams back to back into buffer idx, as RecvmsgBatch lays them out.
    void AheadRead(int idx, int sfd) {
        std::vector<int32_t>& meta = ahead_meta[idx];
        ReadResult r = ReadDatagrams(sfd, ahead_base[idx], ahead_bytes, msg_buffer, meta.data(), (meta.size() - 1) / 2, true);
        ahead_used[idx] = r.off;
        ahead_err[idx] = r.err;
        ahead_more[idx] = r.full && r.err == 0;
    }

    void StartAhead() {
        if (!open) return;
        paused = true;
        watcher->start(Env(), write_queue.empty() ? 0 : UV_WRITABLE, PollHandler);
        if (!ahead_busy) QueueAhead();
    }

    void QueueAhead() {
        ahead_busy = true;
        (new AheadWorker(Env(), this, ahead_cur, (int) fd))->Queue();
    }

    // On the JS thread, when the read into buffer idx completed.
    void AheadDone(int idx) {
        ahead_busy = false;
        if (!open) {
            if (ahead_orphan) fd.reset();
            ahead_orphan = false;
            return;
        }
        Napi::Env env = Env();
        Napi::HandleScope scope (env);
        if (ahead_more[idx]) {
            ahead_cur = idx ^ 1;
            QueueAhead(); // the next batch is read while JS handles this one
        } else {
            paused = false;
            watcher->start(env, write_queue.empty() ? UV_READABLE : UV_READABLE | UV_WRITABLE, PollHandler);
        }
        int32_t n = ahead_meta[idx][0];
        if (n > 0) {
            Napi::Int32Array meta = ahead_js_meta.Value();
            std::copy(ahead_meta[idx].begin(), ahead_meta[idx].begin() + 1 + 2 * n, meta.Data());
            auto view = Napi::Uint8Array::New(env, ahead_used[idx], ahead_ab[idx].Value(), 0);
            read_callback.MakeCallback(Value(), { view, meta }, *async_res);
            if (!open) return;
        }
        if (ahead_err[idx] != 0) {
            auto error = ErrnoException(env, ahead_err[idx], "recvmsg", "Error when receiving Netlink message");
            error_callback.MakeCallback(Value(), { error.Value() }, *async_res);
        }
    }

    // conntop-patch v4: the arguments setBatch and setReadAhead share, checked alike: an Int32Array meta with room
    // for a count and one datagram's pair, and a byte size that holds one full read, on a fixed receive size.
    Napi::Int32Array BatchArgs(const CallbackInfo& info, const char* name, const char* range_message, size_t* bytes) {
        Napi::Env env = info.Env();
        CheckOpen(env);
        if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
            throw Napi::TypeError::New(env, std::string(name) + ": meta must be an Int32Array");
        auto meta = info[0].As<Napi::Int32Array>();
        *bytes = (size_t) Napi::Number(env, info[1]).Int64Value();
        if (msg_buffer == 0 || meta.ElementLength() < 3 || *bytes < msg_buffer)
            throw Napi::RangeError::New(env, range_message);
        return meta;
    }

    void SetReadAhead(const CallbackInfo& info) {
        Napi::Env env = info.Env();
        const char* range_message = "setReadAhead: needs a fixed receive size, room for one datagram and its meta, and no batches";
        size_t bytes = 0;
        auto meta = BatchArgs(info, "setReadAhead", range_message, &bytes);
        if (!batch_meta.IsEmpty() || ahead_on)
            throw Napi::RangeError::New(env, range_message);
        ahead_js_meta = Napi::Persistent(meta);
        ahead_bytes = bytes;
        for (int i = 0; i < 2; i++) {
            auto ab = Napi::ArrayBuffer::New(env, bytes);
            ahead_base[i] = (char*) ab.Data();
            ahead_ab[i] = Napi::Persistent(ab);
            ahead_meta[i].assign(meta.ElementLength(), 0);
        }
        ahead_on = true;
    }

    void Sendmsg() {`],
    [`    std::unique_ptr<UvTimer, UvTimer::Deleter> delay_timer;
`, `    std::unique_ptr<UvTimer, UvTimer::Deleter> delay_timer;
    bool ahead_on = false; // conntop-patch v4: setReadAhead was called
    bool ahead_busy = false; // a read-ahead is queued or running
    bool ahead_orphan = false; // closed during a read-ahead: its completion closes fd
    int ahead_cur = 0;
    size_t ahead_bytes = 0;
    Napi::Reference<Napi::ArrayBuffer> ahead_ab[2];
    char* ahead_base[2] = { nullptr, nullptr };
    std::vector<int32_t> ahead_meta[2];
    size_t ahead_used[2] = { 0, 0 };
    int ahead_err[2] = { 0, 0 };
    bool ahead_more[2] = { false, false };
    Napi::Reference<Napi::Int32Array> ahead_js_meta;
`],
    [`#include <assert.h>
`, `#include <assert.h>
#include <algorithm>
#include <string>
#include <vector>
`],
  ];
  if (steps.some(([from]) => !text.includes(from))) {
    return { text, level: 3, problem: 'netlink/src/binding.cc differs from the 0.3.0 source conntop knows; the read-ahead thread is not added.' };
  }
  for (const [from, to] of steps) text = text.replace(from, to);
}
return { text, level: 4 };
}
