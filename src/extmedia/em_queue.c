/* em_queue.c — the audio an external media peer sent, waiting to be played
 * one 20 ms frame per tick, with the marks it placed between its audio.
 *
 * The queue is a byte stream, not a list of messages: a peer's messages
 * need not be whole frames, and a frame may start in one message and end in
 * the next (chan_websocket's "buffering mode", always on here). A mark
 * records how many bytes had been put when it came; it falls due once that
 * many have been taken, so it is acknowledged after the audio before it and
 * never before. Depth and due marks come from the two byte counters, which
 * a flush resets with the audio (Asterisk once kept a separate frame count
 * that a flush forgot: #1304). */
#include <errno.h>
#include <string.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include "extmedia/em_int.h"

/* Taken bytes are moved out of the way once this many pile up in front. */
enum { COMPACT_AT = 64 * 1024 };

static void mark_destructor(void *arg)
{
	struct em_mark *m = arg;

	list_unlink(&m->le);
	mem_deref(m->id);
}

int em_queue_init(struct em_queue *q, size_t frame)
{
	memset(q, 0, sizeof(*q));
	q->frame = frame;
	list_init(&q->marks);
	q->audio = mbuf_alloc(frame * 8);
	return q->audio ? 0 : ENOMEM;
}

void em_queue_close(struct em_queue *q)
{
	list_flush(&q->marks);
	q->audio = mem_deref(q->audio);
}

static size_t waiting(const struct em_queue *q)
{
	return (size_t)(q->in - q->out);
}

/* Drop what was taken: everything when all is gone, else by a move once
 * enough piled up in front. */
static void compact(struct mbuf *mb)
{
	size_t left = mbuf_get_left(mb);

	if (!left) {
		mbuf_rewind(mb);
		return;
	}
	if (mb->pos < COMPACT_AT)
		return;
	memmove(mb->buf, mb->buf + mb->pos, left);
	mb->pos = 0;
	mb->end = left;
}

int em_queue_put(struct em_queue *q, const uint8_t *p, size_t n)
{
	size_t pos;
	int err;

	if (!n)
		return 0;
	compact(q->audio);
	pos = q->audio->pos;
	q->audio->pos = q->audio->end;
	err = mbuf_write_mem(q->audio, p, n);
	q->audio->pos = pos;
	if (err)
		return err;
	q->in += n;
	return 0;
}

int em_queue_mark(struct em_queue *q, enum em_mark_kind kind, const char *id)
{
	struct em_mark *m = mem_zalloc(sizeof(*m), mark_destructor);
	int err;

	if (!m)
		return ENOMEM;
	m->kind = kind;
	m->at = q->in;
	err = str_dup(&m->id, id ? id : "");
	if (err) {
		mem_deref(m);
		return err;
	}
	list_append(&q->marks, &m->le, m);
	return 0;
}

size_t em_queue_frames(const struct em_queue *q)
{
	return waiting(q) / q->frame;
}

bool em_queue_empty(const struct em_queue *q)
{
	return !waiting(q) && list_isempty(&q->marks);
}

size_t em_queue_take(struct em_queue *q, uint8_t *out, bool tail)
{
	size_t n = waiting(q);

	if (n >= q->frame)
		n = q->frame;
	else if (!tail || !n)
		return 0;
	memcpy(out, mbuf_buf(q->audio), n);
	mbuf_advance(q->audio, (ssize_t)n);
	q->out += n;
	return n;
}

struct em_mark *em_queue_due(struct em_queue *q)
{
	struct em_mark *m = list_ledata(list_head(&q->marks));

	if (!m || m->at > q->out)
		return NULL;
	list_unlink(&m->le);
	return m;
}

void em_queue_flush(struct em_queue *q, struct list *flushed)
{
	struct le *le;

	mbuf_rewind(q->audio);
	q->out = q->in;
	while ((le = list_head(&q->marks))) {
		list_unlink(le);
		list_append(flushed, le, le->data);
	}
}
