/* sock.c - ZeroMQ set-up and transfer. See sock.h. */
#define _POSIX_C_SOURCE 200809L
#include "proto/sock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "proto/err.h"
#include "proto/util.h"

static void *ctx;
#ifdef KH_TEST_BUILD
static FILE *tap;
#endif

void kh_sock_tap(const char *name)
{
#ifdef KH_TEST_BUILD
    const char *dir = getenv("KOHORT_TAP");
    if (!dir || tap)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%d.tap", dir, name, (int)getpid());
    tap = fopen(path, "ab");
#else
    (void)name;
#endif
}

void *kh_sock_ctx(void)
{
    if (!ctx) {
        ctx = zmq_ctx_new(); /* NULL with errno set: the callers' sockets then fail */
        if (ctx)
            zmq_ctx_set(ctx, ZMQ_BLOCKY, 0);
    }
    return ctx;
}

void kh_sock_term(void)
{
    if (ctx) {
        zmq_ctx_term(ctx);
        ctx = NULL;
    }
}

int kh_sock_endpoint(char *buf, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(buf, cap, "ipc://%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap || (size_t)n - 6 > 107)
        return -ENAMETOOLONG;
    return 0;
}

void *kh_sock_open(int type, const char *endpoint, int bind)
{
    void *c = kh_sock_ctx();
    void *s = c ? zmq_socket(c, type) : NULL;
    if (!s)
        return NULL;
    int linger = 10000, hwm = 8, one = 1, ivl = 20;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    if (!bind && type == ZMQ_PUSH)
        zmq_setsockopt(s, ZMQ_IMMEDIATE, &one, sizeof one);
    int rc = !endpoint ? 0 : bind ? zmq_bind(s, endpoint) : zmq_connect(s, endpoint);
    if (rc != 0) {
        int e = errno;
        zmq_close(s);
        errno = e;
        return NULL;
    }
    return s;
}

int kh_sock_connect(void *sock, const char *endpoint)
{
    return zmq_connect(sock, endpoint) == 0 ? 0 : -errno;
}

void kh_sock_close(void **sock)
{
    if (sock && *sock) {
        zmq_close(*sock);
        *sock = NULL;
    }
}

static void free_packed(void *data, void *hint)
{
    (void)hint;
    free(data);
}

int kh_sock_send(void *sock, kh_packed_t *packed)
{
    zmq_msg_t m;
    if (zmq_msg_init_data(&m, packed->data, packed->len, free_packed, NULL) != 0) {
        free(packed->data);
        packed->data = NULL;
        return -errno;
    }
    packed->data = NULL;
    for (;;) {
        if (zmq_msg_send(&m, sock, 0) >= 0)
            return 0;
        int e = errno;
        if (e == EINTR || e != EAGAIN) {
            zmq_msg_close(&m);
            return -e;
        }
    }
}

int kh_sock_recv(void *sock, kh_msg_t *msg, int timeout_ms)
{
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    int rc = zmq_poll(&item, 1, timeout_ms);
    if (rc < 0)
        return -errno;
    if (rc == 0)
        return -EAGAIN;
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
        int e = errno;
        zmq_msg_close(&m);
        return -e;
    }
#ifdef KH_TEST_BUILD
    if (tap) {
        fwrite(zmq_msg_data(&m), 1, zmq_msg_size(&m), tap);
        fflush(tap);
    }
#endif
    rc = kh_msg_unpack(zmq_msg_data(&m), zmq_msg_size(&m), msg);
    zmq_msg_close(&m);
    return rc;
}

void *kh_sock_watch(void *sock, int bind_side)
{
    static int seq;
    char addr[64];
    snprintf(addr, sizeof addr, "inproc://kh-monitor-%d", seq++);
    int events = bind_side ? ZMQ_EVENT_ACCEPTED : ZMQ_EVENT_CONNECTED;
    if (zmq_socket_monitor(sock, addr, events) != 0)
        return NULL;
    void *c = kh_sock_ctx();
    void *mon = c ? zmq_socket(c, ZMQ_PAIR) : NULL;
    if (mon && zmq_connect(mon, addr) != 0) {
        zmq_close(mon);
        mon = NULL;
    }
    return mon;
}

int kh_sock_wait_peers(void *sock, void **monitor, int n, int bind_side, int timeout_ms)
{
    int events = bind_side ? ZMQ_EVENT_ACCEPTED : ZMQ_EVENT_CONNECTED;
    void *mon = *monitor;
    int seen = 0, rc = 0;
    uint64_t deadline = kh_now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (seen < n) {
        uint64_t now = kh_now_ns();
        if (now >= deadline) {
            rc = -ETIMEDOUT;
            break;
        }
        zmq_pollitem_t item = {mon, 0, ZMQ_POLLIN, 0};
        int prc = zmq_poll(&item, 1, (long)((deadline - now) / 1000000u) + 1);
        if (prc < 0 && errno == EINTR) {
            rc = -EINTR;
            break;
        }
        if (prc <= 0)
            continue;
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, mon, 0) >= 0 && zmq_msg_size(&frame) >= 6) {
            uint16_t ev;
            memcpy(&ev, zmq_msg_data(&frame), 2);
            if (ev & events)
                seen++;
        }
        /* the second frame carries the peer address */
        while (zmq_msg_more(&frame)) {
            zmq_msg_close(&frame);
            zmq_msg_init(&frame);
            zmq_msg_recv(&frame, mon, 0);
        }
        zmq_msg_close(&frame);
    }
    kh_sock_unwatch(sock, monitor);
    return rc;
}

void kh_sock_unwatch(void *sock, void **monitor)
{
    if (!*monitor)
        return;
    zmq_socket_monitor(sock, NULL, 0);
    zmq_close(*monitor);
    *monitor = NULL;
}
