/* route.h — the ARI route table, the router over it and the api-docs made
 * from it (the handlers' request/response interface is request.h). One
 * table declares every operation (method, path, nickname,
 * parameters, error codes, handler); the router, the parameter documentation
 * and the swagger 1.2 api-docs at /ari/api-docs/ are all made from it, so
 * they cannot drift apart.
 *
 * Internal to src/ari: nothing outside this folder includes it. Files that
 * include this header use jansson and must not include re.h (re_json.h clashes
 * with jansson's names: docs/ARCHITECTURE.md, "libre caveats"). */
#ifndef ARIADNE_ARI_ROUTE_H
#define ARIADNE_ARI_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct ari_req;
struct ari_resp;

typedef void (ari_handler_h)(struct ari_req *req, struct ari_resp *resp);

enum ari_param_in { ARI_PATH, ARI_QUERY, ARI_BODY };

struct ari_param {
	const char *name;
	enum ari_param_in in;
	const char *type;     /* swagger dataType: string, int, long, boolean, containers, object */
	bool required;
	bool multi;           /* allowMultiple: comma separated list */
	const char *allowed;  /* comma list of allowable values or NULL */
	const char *deflt;    /* defaultValue or NULL */
	const char *desc;
};

struct ari_error_doc {
	int code;
	const char *reason;
};

struct ari_route {
	const char *resource;       /* "channels" — selects the api-docs file */
	const char *method;         /* "GET", "POST", "PUT", "DELETE" */
	const char *path;           /* "/channels/{channelId}/move" (below /ari) */
	const char *nickname;       /* "move" */
	const char *summary;
	const char *response_class; /* "void", "Channel", "List[Channel]" */
	const struct ari_param *params;     /* terminated by {NULL} */
	const struct ari_error_doc *errors; /* terminated by {0} */
	ari_handler_h *handler;     /* NULL: answers 501 Not implemented */
	bool websocket;             /* GET /events: the upgrade, ws_events.c */
};

/* The table (routes.c): every operation of the eleven resources. */
extern const struct ari_route ari_routes[];
extern const size_t ari_routes_count;

/* The eleven resource names in api-docs order, NULL terminated. */
extern const char *const ari_resources[];

/* Router result for one request path (below /ari, without query string). */
enum ari_match {
	ARI_MATCH_OK,        /* route found for this method */
	ARI_MATCH_NO_PATH,   /* 404 {"message":"Resource not found"} */
	ARI_MATCH_NO_METHOD, /* 405 + Allow: `allow` */
};

#define ARI_MAX_PATH_VARS 4

struct ari_path_var {
	const char *name;   /* points into the route table */
	char value[256];    /* URL-decoded segment */
};

struct ari_match_result {
	const struct ari_route *route;
	struct ari_path_var vars[ARI_MAX_PATH_VARS];
	int nvars;
	char allow[64];     /* "OPTIONS,GET,POST" — methods defined on the path */
};

/* Match `path` (e.g. "/channels/123/move") segment by segment, each segment
 * URL-decoded before matching; literal segments beat {wildcards}. */
enum ari_match ari_route_match(const char *method, const char *path,
			       struct ari_match_result *res);

/* ---- api-docs (apidocs.c, models.c) ---- */

struct http_head;

/* GET /ari/api-docs/{name} (after authentication). */
void ari_apidocs_serve(const struct ari_req *req, const struct http_head *h,
		       const char *name, struct ari_resp *resp);

/* resources.json; base_path like "http://127.0.0.1:8088/ari". New ref. */
json_t *ari_apidocs_listing(const char *base_path);
/* {resource}.json with its apis and models; NULL for an unknown resource. */
json_t *ari_apidocs_declaration(const char *resource, const char *base_path);
/* Is `type` an event model in events.json? (ari-client crashes on unknown) */
bool ari_event_type_documented(const char *type);
/* The `models` object of {resource}.json (models.c); {} for a resource
 * without models, NULL on allocation failure. New ref. */
json_t *ari_models_json(const char *resource);
/* {"valueType":"LIST","values":[...]} from a comma list (models.c). */
json_t *ari_json_allowable_list(const char *list);

#endif
