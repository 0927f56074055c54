/* sip_cause.c — hangup causes (Q.850, Asterisk's AST_CAUSE_*) to SIP final
 * responses and back, following chan_pjsip's hangup_cause2sip() and
 * hangup_sip2cause() so that ARI applications see the causes they see with
 * Asterisk. Pure functions: the unit tests pin the table. */
#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <re_types.h>
#include <re_list.h>
#include <re_sa.h>
#include "sip/sip_int.h"

/* Q.850 values not named in core/channel.h */
enum {
	Q_NO_ROUTE_TRANSIT_NET = 2,
	Q_NO_ROUTE_DESTINATION = 3,
	Q_NORMAL_CLEARING = 16,
	Q_USER_BUSY = 17,
	Q_NO_USER_RESPONSE = 18,
	Q_NO_ANSWER = 19,
	Q_UNREGISTERED = 20,
	Q_CALL_REJECTED = 21,
	Q_NUMBER_CHANGED = 22,
	Q_DESTINATION_OUT_OF_ORDER = 27,
	Q_INVALID_NUMBER_FORMAT = 28,
	Q_FACILITY_REJECTED = 29,
	Q_NORMAL_UNSPECIFIED = 31,
	Q_CONGESTION = 34,
	Q_NORMAL_TEMPORARY_FAILURE = 41,
	Q_SWITCH_CONGESTION = 42,
	Q_FAILURE = 38,
	Q_BEARERCAPABILITY_NOTAVAIL = 58,
	Q_CHAN_NOT_IMPLEMENTED = 66,
	Q_RECOVERY_ON_TIMER_EXPIRE = 102,
	Q_INTERWORKING = 127,
	Q_UNALLOCATED = 1,
};

int sip_cause_from_status(int status)
{
	switch (status) {
	case 401: case 403: case 407: case 603:
		return Q_CALL_REJECTED;
	case 404: case 485: case 604:
		return Q_UNALLOCATED;
	case 408:
		return Q_NO_USER_RESPONSE;
	case 409:
		return Q_NORMAL_TEMPORARY_FAILURE;
	case 410:
		return Q_NUMBER_CHANGED;
	case 420:
		return Q_NO_ROUTE_DESTINATION;
	case 480: case 483:
		return Q_NO_ANSWER;
	case 484:
		return Q_INVALID_NUMBER_FORMAT;
	case 486: case 600:
		return Q_USER_BUSY;
	case 488: case 606:
		return Q_BEARERCAPABILITY_NOTAVAIL;
	case 500:
		return Q_FAILURE;
	case 501:
		return Q_FACILITY_REJECTED;
	case 502:
		return Q_DESTINATION_OUT_OF_ORDER;
	case 503:
		return Q_CONGESTION;
	case 504:
		return Q_RECOVERY_ON_TIMER_EXPIRE;
	default:
		break;
	}
	/* 405, 411, 413-415, 481, 482, 487, 491, 493, 505 and unknown 4xx
	 * and 6xx are "interworking"; unknown 5xx congestion */
	if (status >= 400 && status < 500)
		return Q_INTERWORKING;
	if (status >= 500 && status < 600)
		return Q_CONGESTION;
	if (status >= 600 && status < 700)
		return Q_INTERWORKING;
	return Q_NORMAL_CLEARING;
}

int sip_status_from_cause(int cause)
{
	switch (cause) {
	case Q_UNALLOCATED:
	case Q_NO_ROUTE_TRANSIT_NET:
	case Q_NO_ROUTE_DESTINATION:
		return 404;
	case Q_CONGESTION:
	case Q_SWITCH_CONGESTION:
	case Q_CHAN_NOT_IMPLEMENTED:
		return 503;
	case Q_NO_USER_RESPONSE:
		return 408;
	case Q_NO_ANSWER:
	case Q_UNREGISTERED:
	case Q_NORMAL_UNSPECIFIED:
		return 480;
	case Q_CALL_REJECTED:
		return 403;
	case Q_NUMBER_CHANGED:
		return 410;
	case Q_INVALID_NUMBER_FORMAT:
		return 484;
	case Q_USER_BUSY:
		return 486;
	case Q_FAILURE:
	case Q_INTERWORKING:
		return 500;
	case Q_FACILITY_REJECTED:
		return 501;
	case Q_DESTINATION_OUT_OF_ORDER:
		return 502;
	case Q_BEARERCAPABILITY_NOTAVAIL:
		return 488;
	default:
		return 0;
	}
}
