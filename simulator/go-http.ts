// Go's net/http wording, shared by both sides: the grant service answers with it, the redeem client
// reports with it.
import http from 'node:http';

// Where Go's http.StatusText differs from Node's http.STATUS_CODES (Go keeps the RFC 7231 names and has no 509).
const GO_STATUS_TEXT: Record<number, string> = {
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
  418: "I'm a teapot",
  509: '',
};

/** Go's http.StatusText: the reason phrase, or "" for a code Go does not know. */
export function statusText(status: number): string {
  return GO_STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? '';
}
