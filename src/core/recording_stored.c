/* recording_stored.c — the recordings directory (<astspooldir>/recording)
 * and what is in it: names turned into paths that never leave it, the
 * stored recordings (find, list, copy, delete, read), and the engine whose
 * formats say which files are recordings. Plain file operations only: what
 * is inside a file is the engine's business (src/media).
 *
 * Names follow Asterisk's stasis_recording/stored.c: a name is a path
 * relative to the directory without the extension, sub-directories
 * allowed; the file is "<name>.<format>". Unlike Asterisk, an absolute
 * name is refused rather than taken as relative, and symbolic links that
 * lead out of the directory are refused too. Not here: live recordings
 * (recording.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include "base/log.h"
#include "base/options.h"
#include "core/recording_int.h"

#define SCAN_DEPTH 16   /* sub-directory levels listed */

struct recording_stored {
	char *name;      /* relative, no extension */
	char *format;
	char *file;      /* absolute, with extension */
};

static const struct recording_engine *engine;
static char dir_buf[300];

void recording_engine_register(const struct recording_engine *eng)
{
	engine = eng;
}

const struct recording_engine *recording_engine_get(void)
{
	return engine;
}

bool recording_format_known(const char *format)
{
	if (!engine || !engine->formats || !format)
		return false;
	for (const char *const *f = engine->formats; *f; f++) {
		if (!strcmp(*f, format))
			return true;
	}
	return false;
}

const char *recording_dir(void)
{
	snprintf(dir_buf, sizeof(dir_buf), "%s/recording", options.spooldir);
	return dir_buf;
}

const char *recording_stored_name(const struct recording_stored *s)
{
	return s->name;
}

const char *recording_stored_format(const struct recording_stored *s)
{
	return s->format;
}

const char *recording_stored_file(const struct recording_stored *s)
{
	return s->file;
}

/* ---- names to paths ---- */

/* Without touching the disk: not empty, not absolute, no ".." above the
 * top, and a file name ("x", not "", "." or "..") after the last '/'. */
static int name_check(const char *name)
{
	const char *p = name, *file;
	int depth = 0;

	if (!name || !*name)
		return EINVAL;
	if (*name == '/')
		return EACCES;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && !strncmp(p, "..", 2))
			depth--;
		else if (len && !(len == 1 && *p == '.'))
			depth++;
		if (depth < 0)
			return EACCES;
		p += len;
		if (*p)
			p++;
	}
	file = strrchr(name, '/');
	file = file ? file + 1 : name;
	if (!*file || !strcmp(file, ".") || !strcmp(file, ".."))
		return EINVAL;
	return 0;
}

/* `path` (resolved) is the directory `base` or below it. */
static bool inside(const char *base, const char *path)
{
	size_t n = strlen(base);

	return !strncmp(base, path, n) && (path[n] == '/' || !path[n]);
}

static int mkdir_one(const char *path)
{
	if (!mkdir(path, 0755) || errno == EEXIST)
		return 0;
	log_warning("Unable to create directory %s: %s", path,
		    strerror(errno));
	return errno;
}

/* mkdir -p below `base` (which exists) for the directory part of `rel`,
 * checking each step before the next: a link in the way must not make us
 * create directories elsewhere. */
static int make_parents(const char *base, const char *rel)
{
	char path[PATH_MAX], real[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", base, rel);
	char *p = path + strlen(base) + 1;
	char *slash;
	int err = 0;

	if (n < 0 || (size_t)n >= sizeof(path))
		return ENAMETOOLONG;
	while (!err && (slash = strchr(p, '/'))) {
		*slash = '\0';
		err = mkdir_one(path);
		if (!err && !realpath(path, real))
			err = errno;
		if (!err && !inside(base, real))
			err = EACCES;
		*slash = '/';
		p = slash + 1;
	}
	return err;
}

/* The recordings directory as the kernel resolves it, made if asked. */
static int base_real(char *real, bool make)
{
	const char *dir = recording_dir();

	if (make) {
		char tmp[sizeof(dir_buf)];
		int err = 0;

		snprintf(tmp, sizeof(tmp), "%s", dir);
		for (char *p = tmp + 1; *p && !err; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			err = mkdir_one(tmp);
			*p = '/';
		}
		if (!err)
			err = mkdir_one(tmp);
		if (err)
			return err;
	}
	return realpath(dir, real) ? 0 : errno;
}

int recording_path_make(char **pathp, const char *name, bool make_dirs)
{
	char base[PATH_MAX], parent[PATH_MAX], real[PATH_MAX];
	const char *slash, *file;
	int err, n;

	err = name_check(name);
	if (!err)
		err = base_real(base, make_dirs);
	if (!err && make_dirs)
		err = make_parents(base, name);
	slash = strrchr(name ? name : "", '/');
	file = slash ? slash + 1 : name;
	n = err ? 0 : snprintf(parent, sizeof(parent), "%s/%.*s", base,
			       (int)(slash ? slash - name : 0), name);
	if (n < 0 || (size_t)n >= sizeof(parent))
		err = ENAMETOOLONG;
	/* A link on the way may lead anywhere: judge where it really is. */
	if (!err && !realpath(parent, real))
		err = errno;
	if (!err && !inside(base, real))
		err = EACCES;
	if (err == EACCES)
		log_warning("Attempt to access invalid recording %s", name);
	if (err)
		return err;
	return re_sdprintf(pathp, "%s/%s", real, file) ? ENOMEM : 0;
}

/* "<path>.<format>" is a regular file whose real place is inside the
 * directory. */
static int file_check(const char *path, const char *format, char **filep)
{
	char base[PATH_MAX], real[PATH_MAX];
	struct stat st;
	char *file;
	int err;

	if (re_sdprintf(&file, "%s.%s", path, format))
		return ENOMEM;
	if (stat(file, &st))
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EACCES;  /* Asterisk plays only regular files */
	else if (!realpath(file, real) || base_real(base, false))
		err = errno;
	else
		err = inside(base, real) ? 0 : EACCES;
	if (err)
		mem_deref(file);
	else
		*filep = file;
	return err;
}

bool recording_file_exists(const char *path)
{
	if (!engine || !engine->formats)
		return false;
	for (const char *const *f = engine->formats; *f; f++) {
		char *file = NULL;

		if (!file_check(path, *f, &file)) {
			mem_deref(file);
			return true;
		}
	}
	return false;
}

/* ---- stored recordings ---- */

static void stored_destructor(void *arg)
{
	struct recording_stored *s = arg;

	mem_deref(s->name);
	mem_deref(s->format);
	mem_deref(s->file);
}

static int stored_alloc(struct recording_stored **sp, const char *name,
			const char *format, char *file)
{
	struct recording_stored *s;

	s = mem_zalloc(sizeof(*s), stored_destructor);
	if (!s) {
		mem_deref(file);
		return ENOMEM;
	}
	s->file = file;  /* taken */
	if (str_dup(&s->name, name) || str_dup(&s->format, format)) {
		mem_deref(s);
		return ENOMEM;
	}
	*sp = s;
	return 0;
}

/* The first of the engine's formats that exists, in the engine's order
 * (Asterisk takes the first the directory lists: ours does not depend on
 * the order of the disk). */
int recording_stored_find(struct recording_stored **sp, const char *name)
{
	char base[PATH_MAX];
	char *path = NULL, *file = NULL;
	const char *const *f;
	int err;

	if (!sp)
		return EINVAL;
	err = recording_path_make(&path, name, false);
	if (!err)
		err = base_real(base, false);
	if (err) {
		mem_deref(path);
		return err;
	}
	err = ENOENT;
	for (f = engine && engine->formats ? engine->formats : NULL;
	     f && *f && err; f++)
		err = file_check(path, *f, &file);
	if (!err)
		err = stored_alloc(sp, path + strlen(base) + 1, f[-1], file);
	else if (err != EACCES)
		err = ENOENT;
	mem_deref(path);
	return err;
}

/* ---- listing ---- */

struct scan {
	struct recording_stored **v;
	size_t n, cap;
	size_t baselen;
};

static int scan_add(struct scan *sc, const char *path, const char *format)
{
	struct recording_stored *s;
	char *file;
	size_t len = strlen(path) - strlen(format) - 1;
	char name[PATH_MAX];
	int err;

	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;
		struct recording_stored **v =
			mem_reallocarray(sc->v, cap, sizeof(*v), NULL);

		if (!v)
			return ENOMEM;
		sc->v = v;
		sc->cap = cap;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(len - sc->baselen - 1),
		 path + sc->baselen + 1);
	err = str_dup(&file, path);
	if (!err)
		err = stored_alloc(&s, name, format, file);
	if (!err)
		sc->v[sc->n++] = s;
	return err;
}

static const char *known_ext(const char *fname)
{
	const char *dot = strrchr(fname, '.');

	return dot && dot != fname && recording_format_known(dot + 1)
		? dot + 1 : NULL;
}

/* Regular files and directories only: links are not followed, as
 * Asterisk's scan skips everything that is not DT_REG or DT_DIR. */
static int scan_dir(struct scan *sc, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : errno;
	while (!err && (de = readdir(d))) {
		char path[PATH_MAX];
		const char *ext;
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		    (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
			    (int)sizeof(path) || lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < SCAN_DEPTH)
			err = scan_dir(sc, path, depth + 1);
		else if (S_ISREG(st.st_mode) && (ext = known_ext(de->d_name)))
			err = scan_add(sc, path, ext);
	}
	closedir(d);
	return err;
}

static int format_rank(const char *format)
{
	int i = 0;

	for (const char *const *f = engine->formats; *f; f++, i++) {
		if (!strcmp(*f, format))
			return i;
	}
	return i;
}

static int stored_cmp(const void *a, const void *b)
{
	const struct recording_stored *x = *(struct recording_stored *const *)a;
	const struct recording_stored *y = *(struct recording_stored *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : format_rank(x->format) - format_rank(y->format);
}

void recording_stored_list_free(struct recording_stored **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		mem_deref(list[i]);
	mem_deref(list);
}

int recording_stored_list(struct recording_stored ***listp, size_t *np)
{
	struct scan sc = {0};
	char base[PATH_MAX];
	size_t out = 0;
	int err;

	*listp = NULL;
	*np = 0;
	if (!engine || !engine->formats)
		return 0;
	err = base_real(base, false);
	if (err)
		return err == ENOENT ? 0 : err;
	sc.baselen = strlen(base);
	err = scan_dir(&sc, base, 0);
	if (err) {
		recording_stored_list_free(sc.v, sc.n);
		return err;
	}
	if (sc.n)
		qsort(sc.v, sc.n, sizeof(*sc.v), stored_cmp);
	/* One per name, as Asterisk's container that replaces duplicates. */
	for (size_t i = 0; i < sc.n; i++) {
		if (out && !strcmp(sc.v[out - 1]->name, sc.v[i]->name))
			mem_deref(sc.v[i]);
		else
			sc.v[out++] = sc.v[i];
	}
	*listp = sc.v;
	*np = out;
	return 0;
}

/* ---- copy, delete, read ---- */

static int copy_bytes(int in, int out)
{
	uint8_t buf[16384];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0)
				return errno;
			off += w;
		}
	}
	return n < 0 ? errno : 0;
}

static int copy_file(const char *from, const char *to)
{
	int in, out, err;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return errno;
	/* Exclusive: a recording that appeared meanwhile is not replaced. */
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		err = errno;
		close(in);
		return err;
	}
	err = copy_bytes(in, out);
	close(in);
	if (close(out) && !err)
		err = errno;
	if (err)
		unlink(to);
	return err;
}

int recording_stored_copy(const struct recording_stored *s, const char *dst,
			  struct recording_stored **outp)
{
	struct recording_stored *exist = NULL;
	char *name = NULL, *path = NULL, *file = NULL, *dot;
	int err;

	if (!s || !dst || !outp)
		return EINVAL;
	err = str_dup(&name, dst);
	if (err)
		return err;
	dot = strrchr(name, '.');
	if (dot && !strchr(dot, '/') && dot != name && dot[-1] != '/')
		*dot = '\0';
	err = recording_stored_find(&exist, name);
	if (!err)
		err = EEXIST;
	else if (err == ENOENT)
		err = recording_path_make(&path, name, true);
	if (!err)
		err = re_sdprintf(&file, "%s.%s", path, s->format) ? ENOMEM : 0;
	if (!err) {
		log_verbose(4, "Copying recording %s to %s (format %s)",
			    s->file, file, s->format);
		err = copy_file(s->file, file);
	}
	if (!err)
		err = recording_stored_find(outp, name);
	mem_deref(exist);
	mem_deref(file);
	mem_deref(path);
	mem_deref(name);
	return err;
}

int recording_stored_delete(const struct recording_stored *s)
{
	if (!s)
		return EINVAL;
	return unlink(s->file) ? errno : 0;
}

int recording_stored_read(const struct recording_stored *s, uint8_t **bufp,
			  size_t *np)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd, err = 0;

	fd = open(s->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EPERM ? EACCES : errno;
	if (fstat(fd, &st)) {
		err = errno;
		close(fd);
		return err;
	}
	buf = mem_alloc((size_t)st.st_size + 1, NULL);
	if (!buf) {
		close(fd);
		return ENOMEM;
	}
	/* A live recording grows while we read: take what was there. */
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (err) {
		mem_deref(buf);
		return err;
	}
	*bufp = buf;
	*np = got;
	return 0;
}
