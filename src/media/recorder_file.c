/* recorder_file.c — the files recordings write: WAV (RIFF, 8 kHz 16-bit
 * mono PCM, the 44-byte header Asterisk's format_wav writes), raw µ-law,
 * A-law and signed linear. Audio is buffered for at most a second, then
 * written together with the header's sizes, so a crash loses at most the
 * last second and leaves a file players accept. Not here: where the audio
 * comes from, when to stop (recorder.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <rem_g711.h>
#include "base/log.h"
#include "media/media_chan.h"
#include "media/media_int.h"
#include "media/recorder_int.h"

#define WAV_HEADER 44
#define WAV_MAX_DATA 0xfffffff0u  /* the 32-bit RIFF sizes */

const char *const media_recfile_formats[] = {"wav", "ulaw", "alaw", "sln",
					     NULL};

enum kind { K_WAV, K_ULAW, K_ALAW, K_SLN };

struct media_recfile {
	int fd;
	enum kind kind;
	char *file;                /* for logs */
	uint64_t data_off;         /* WAV: where the samples start */
	uint64_t on_disk;          /* samples written to the file */
	int16_t buf[MEDIA_RECFILE_FLUSH_SAMPLES];
	size_t nbuf;
	int err;                   /* the first write error */
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static size_t sample_bytes(enum kind k)
{
	return k == K_WAV || k == K_SLN ? 2 : 1;
}

static void destructor(void *arg)
{
	struct media_recfile *f = arg;

	if (f->fd >= 0)
		close(f->fd);
	mem_deref(f->file);
}

static int pwrite_all(int fd, const uint8_t *p, size_t n, off_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* The sizes of a WAV whose samples start at data_off: RIFF's at 4, the
 * data chunk's just before the samples. */
static int wav_sizes(struct media_recfile *f)
{
	uint64_t data = f->on_disk * 2;
	uint8_t b[4];
	int err;

	put32(b, (uint32_t)(f->data_off + data - 8));
	err = pwrite_all(f->fd, b, 4, 4);
	put32(b, (uint32_t)data);
	if (!err)
		err = pwrite_all(f->fd, b, 4, (off_t)f->data_off - 4);
	return err;
}

static int wav_header(struct media_recfile *f)
{
	uint8_t h[WAV_HEADER];

	memcpy(h, "RIFF", 4);
	put32(h + 4, WAV_HEADER - 8);
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, 1);                  /* PCM */
	put16(h + 22, 1);                  /* mono */
	put32(h + 24, MEDIA_SRATE);
	put32(h + 28, MEDIA_SRATE * 2);
	put16(h + 32, 2);
	put16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put32(h + 40, 0);
	f->data_off = WAV_HEADER;
	return pwrite_all(f->fd, h, sizeof(h), 0);
}

/* An existing WAV to go on with: ours, or any 8 kHz 16-bit mono PCM whose
 * data chunk comes last. Its length is what the file holds, not what the
 * header says (a recording that crashed has a header a second behind). */
static int wav_reopen(struct media_recfile *f, uint64_t size)
{
	uint8_t h[12], ch[8], fmt[16];
	uint64_t off = 12;
	bool fmt_ok = false;

	if (pread(f->fd, h, 12, 0) != 12 || memcmp(h, "RIFF", 4) ||
	    memcmp(h + 8, "WAVE", 4))
		return EINVAL;
	while (off + 8 <= size && pread(f->fd, ch, 8, (off_t)off) == 8) {
		uint32_t len = get32(ch + 4);

		if (!memcmp(ch, "fmt ", 4)) {
			if (len < 16 || pread(f->fd, fmt, 16, (off_t)off + 8)
					!= 16)
				return EINVAL;
			fmt_ok = (get16(fmt) == 1 || get16(fmt) == 0xfffe) &&
				 get16(fmt + 2) == 1 &&
				 get32(fmt + 4) == MEDIA_SRATE &&
				 get16(fmt + 14) == 16;
		}
		else if (!memcmp(ch, "data", 4)) {
			if (!fmt_ok)
				return EINVAL;
			f->data_off = off + 8;
			f->on_disk = (size - f->data_off) / 2;
			return 0;
		}
		off += 8 + (uint64_t)len + (len & 1);
	}
	return EINVAL;
}

static int open_kind(const char *format, enum kind *k)
{
	static const struct { const char *name; enum kind k; } map[] = {
		{"wav", K_WAV}, {"ulaw", K_ULAW}, {"alaw", K_ALAW},
		{"sln", K_SLN},
	};

	for (size_t i = 0; format && i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcmp(map[i].name, format)) {
			*k = map[i].k;
			return 0;
		}
	}
	return EINVAL;
}

/* Where writing starts in a file that may hold audio already. */
static int position(struct media_recfile *f, enum media_recfile_mode mode)
{
	struct stat st;
	int err;

	if (fstat(f->fd, &st))
		return errno;
	if (f->kind != K_WAV) {
		f->on_disk = (uint64_t)st.st_size / sample_bytes(f->kind);
		return 0;
	}
	if (mode != MEDIA_RECFILE_APPEND || st.st_size == 0)
		return wav_header(f);
	err = wav_reopen(f, (uint64_t)st.st_size);
	if (err) {
		log_warning("%s: cannot append to it: not an 8 kHz 16-bit "
			    "mono PCM WAV file", f->file);
		return err;
	}
	/* Anything after the last whole sample goes. */
	if (ftruncate(f->fd, (off_t)(f->data_off + f->on_disk * 2)))
		return errno;
	return wav_sizes(f);
}

int media_recfile_open(struct media_recfile **fp, const char *file,
		       const char *format, enum media_recfile_mode mode)
{
	struct media_recfile *f;
	int flags = O_RDWR | O_CREAT | O_CLOEXEC, err;
	bool existed;
	enum kind k;

	if (!fp || !file || open_kind(format, &k))
		return EINVAL;
	if (mode == MEDIA_RECFILE_NEW)
		flags |= O_EXCL;
	else if (mode == MEDIA_RECFILE_TRUNCATE)
		flags |= O_TRUNC;
	f = mem_zalloc(sizeof(*f), destructor);
	if (!f)
		return ENOMEM;
	f->kind = k;
	existed = mode == MEDIA_RECFILE_APPEND && !access(file, F_OK);
	f->fd = open(file, flags, 0644);
	err = f->fd < 0 ? errno : str_dup(&f->file, file);
	if (!err)
		err = position(f, mode);
	if (err) {
		/* A header the disk would not take: no empty file left to
		 * be listed as a recording and to block the name. A file
		 * that was there to be appended to stays. */
		if (f->fd >= 0 && f->file && !existed)
			(void)unlink(f->file);
		mem_deref(f);
		return err;
	}
	*fp = f;
	return 0;
}

/* The buffer in the file's encoding, after what is on disk. */
static int write_buf(struct media_recfile *f)
{
	uint8_t out[MEDIA_RECFILE_FLUSH_SAMPLES * 2];
	size_t bytes = f->nbuf * sample_bytes(f->kind);
	uint64_t at;

	for (size_t i = 0; i < f->nbuf; i++) {
		int16_t s = f->buf[i];

		switch (f->kind) {
		case K_WAV:
		case K_SLN:
			put16(out + 2 * i, (uint16_t)s);
			break;
		case K_ULAW:
			media_g711_encode(MEDIA_PCMU, &s, 1, out + i);
			break;
		case K_ALAW:
			media_g711_encode(MEDIA_PCMA, &s, 1, out + i);
			break;
		}
	}
	at = (f->kind == K_WAV ? f->data_off : 0) +
	     f->on_disk * sample_bytes(f->kind);
	return pwrite_all(f->fd, out, bytes, (off_t)at);
}

/* A write that failed part-way (a full disk) left samples after the ones
 * the header counts: cut them, so that the file is what its header says
 * (cutting frees space, so it works on a full disk). */
static void cut_to_disk(struct media_recfile *f)
{
	(void)ftruncate(f->fd, (off_t)((f->kind == K_WAV ? f->data_off : 0) +
				       f->on_disk * sample_bytes(f->kind)));
}

int media_recfile_flush(struct media_recfile *f)
{
	int err = 0;

	if (!f || f->err)
		return f ? f->err : EINVAL;
	if (f->nbuf) {
		err = write_buf(f);
		if (!err)
			f->on_disk += f->nbuf;
		else
			cut_to_disk(f);
		f->nbuf = 0;   /* written, or lost with the disk */
	}
	if (!err && f->kind == K_WAV)
		err = wav_sizes(f);
	if (err) {
		log_warning("%s: error writing the recording: %s", f->file,
			    strerror(err));
		f->err = err;
	}
	return err;
}

int media_recfile_write(struct media_recfile *f, const int16_t *pcm,
			size_t n)
{
	if (!f || f->err)
		return f ? f->err : EINVAL;
	if (f->kind == K_WAV &&
	    (f->on_disk + f->nbuf + n) * 2 + f->data_off > WAV_MAX_DATA)
		return f->err = EFBIG;
	while (n) {
		size_t k = MEDIA_RECFILE_FLUSH_SAMPLES - f->nbuf;

		if (k > n)
			k = n;
		memcpy(f->buf + f->nbuf, pcm, k * sizeof(*pcm));
		f->nbuf += k;
		pcm += k;
		n -= k;
		if (f->nbuf == MEDIA_RECFILE_FLUSH_SAMPLES &&
		    media_recfile_flush(f))
			return f->err;
	}
	return 0;
}

uint64_t media_recfile_samples(const struct media_recfile *f)
{
	return f ? f->on_disk + f->nbuf : 0;
}

int media_recfile_trim(struct media_recfile *f, uint64_t n)
{
	uint64_t keep;
	int err = media_recfile_flush(f);

	if (err)
		return err;
	keep = n < f->on_disk ? f->on_disk - n : 0;
	if (ftruncate(f->fd, (off_t)((f->kind == K_WAV ? f->data_off : 0) +
				    keep * sample_bytes(f->kind))))
		return f->err = errno;
	f->on_disk = keep;
	return media_recfile_flush(f);
}

void media_recfile_unlink(struct media_recfile *f)
{
	if (f && unlink(f->file) && errno != ENOENT)
		log_warning("Cannot remove %s: %s", f->file, strerror(errno));
}

int media_recfile_close(struct media_recfile *f, bool keep)
{
	int err = 0;

	if (!f)
		return EINVAL;
	if (keep) {
		err = media_recfile_flush(f);
		if (close(f->fd) && !err)
			err = errno;
		f->fd = -1;
	}
	mem_deref(f);
	return err;
}
