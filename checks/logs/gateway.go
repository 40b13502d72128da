package logs

import (
	"strings"

	"opsdeck/site/tail"
)

// Digest is one line of the OpenAPI gateway's gateway-digest.log (guide §8.3.3): fields split by
// ';' after the log4j header.
type Digest struct {
	RequestID, API, Version, Product, AccessKey, Tenant, User, Code string
	TotalMS, DownstreamMS, GatewayMS                                string
	Success                                                         bool
}

// ParseDigest reads the ';'-separated record of a digest line.
func ParseDigest(rec string) (Digest, bool) {
	f := strings.Split(strings.TrimSpace(rec), ";")
	if len(f) < 13 {
		return Digest{}, false
	}
	return Digest{RequestID: f[0], API: f[1], Version: f[2], Product: f[3], AccessKey: f[4], Tenant: f[5],
		User: f[6], Code: f[7], TotalMS: f[8], DownstreamMS: f[9], Success: f[10] == "true", GatewayMS: f[12]}, true
}

// explainDigest sets a digest line's level from its result and explains the code in place.
func explainDigest(rec string, e *tail.Entry) {
	d, ok := ParseDigest(rec)
	if !ok {
		return
	}
	switch {
	case d.Success || d.Code == "OK":
		e.Level = tail.Info
	case d.Code == "OVER_RATE_LIMIT" || d.Code == "INVALID_PARAMETER" || d.Code == "MISSING_PARAMETER":
		e.Level = tail.Warn
	default:
		e.Level = tail.Error
	}
	if d.Code == "OK" {
		return
	}
	e.Note = d.Code + ": " + ExplainCode(d.Code)
	if d.DownstreamMS != "" && d.DownstreamMS != "0" && d.DownstreamMS != "-" {
		e.Note += " (downstream took " + d.DownstreamMS + " ms: the request reached the provider)"
	}
}

// ExplainCode is the guide's meaning of an OpenAPI result or error code (§8.3.1, §8.3.2).
func ExplainCode(code string) string {
	if s, ok := resultCodes[code]; ok {
		return s
	}
	return "not in the guide's result code list (§8.3.1); see the downstream time to tell gateway from provider"
}

// resultCodes is the guide's table (§8.3.1, translated).
var resultCodes = map[string]string{
	"OK":                                  "call succeeded",
	"UNKNOW_ERROR":                        "failed: unknown error in the downstream service; check the downstream service",
	"GW_UNKNOWN_ERROR":                    "failed: unknown gateway error; contact after-sales support",
	"INVALID_SIGNATURE":                   "signature wrong: check the SDK version, the AK, and the secret used to sign",
	"INVALID_ACCESS_KEY":                  "AK wrong: check the AK, and that it is not one of another cloud",
	"MISSING_PARAMETER":                   "a request parameter is missing (req_msg_id 32–64 bytes, access_key set, sign_type HmacSHA1, req_time ISO 8601)",
	"INVALID_PARAMETER":                   "a parameter value is invalid",
	"API_NOT_EXIST":                       "the API (or this version of it) does not exist: not configured on the gateway or metadata missing; ask the API's owner",
	"RPC_ERROR":                           "core gateway TR call failed: check the TR service is published and the config center connection",
	"OVER_RATE_LIMIT":                     "over the gateway's rate limit quota",
	"TIMEOUT":                             "call timed out: check the downstream service",
	"INVALID_AUTH_TOKEN":                  "third-party authorization: the auth token is invalid",
	"INVALID_AUTH_SCOPE":                  "third-party authorization: the token is valid but its scope is not",
	"ACCESS_DENIED":                       "the operator may not call this API: the tenant admin must grant it (IAM guide, account management)",
	"METHOD_NOT_FOUND":                    "the downstream service has no implementation of this API (version mismatch); ask the product owner",
	"WRITE_LIST_DENIED":                   "not on the allow list; ask after-sales support to add it",
	"INVALID_PROVIDER_RESPONSE_SIGNATURE": "the provider's response signature failed: check the secret the provider signs with",
	"WRONG_PROVIDER_AK":                   "the provider's AK is wrong (wrong environment or AK in the clusterDeployment spec)",
	"INVALID_PRODUCT_INSTANCE_ID":         "contract check failed: the product instance id does not exist",
	"PRODUCT_INSTANCE_NOT_ACTIVE":         "contract check failed: the product instance is not active (contract expired?)",
	"BAD_PROVIDER_RESPONSE":               "the downstream returned an error (bad signature, format, empty body or HTTP status not 200): see its message",
	"NO_ROUTE_INFO":                       "the provider's productInstanceId is wrong or not configured",
	"API_UNAVAILABLE":                     "no downstream service found; ask its provider",
	"DEFAULT_SERVICE_NOT_EXIST":           "no default route (pass product_instance_id or region_name)",
	"PROVIDER_SERVICE_TIMEOUT":            "the downstream service timed out; contact the provider",
	"PROVIDER_SERVICE_CONNECTION_REFUSED": "the downstream service refused the connection; contact the provider",
}
