/**
 * Finds secret literals in a synthesized Terraform JSON document: attributes whose name says
 * they hold a credential (password, token, secret string, private key, ...) but whose value
 * is not a single Terraform reference, plus values that look like credentials wherever they
 * are (AWS access keys, PEM private keys).
 */
const SECRET_KEY = /(^|_)(password|passwd|pwd|secret|secret_string|token|auth_token|api_key|access_key|secret_key|private_key|credentials?)(_wo)?$/i;
/** Attributes named like credentials that are not: idempotency tokens AWS APIs take. */
const NOT_SECRET = new Set(["creation_token", "client_token", "idempotency_token", "client_request_token"]);
const REFERENCE = /^\$\{[^]*\}$/;
const SECRET_VALUE = [/\bAKIA[0-9A-Z]{16}\b/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/];

export interface SecretFinding {
  readonly path: string;
  readonly value: string;
}

export function findSecretLiterals(doc: unknown, path = ""): SecretFinding[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => findSecretLiterals(v, `${path}[${i}]`));
  if (doc === null || typeof doc !== "object") return [];
  const findings: SecretFinding[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    if ((typeof value === "string" || typeof value === "number") && SECRET_KEY.test(key) && !NOT_SECRET.has(key) && !REFERENCE.test(String(value))) {
      findings.push({ path: at, value: String(value) });
    } else if (typeof value === "string" && SECRET_VALUE.some((re) => re.test(value))) {
      findings.push({ path: at, value: value.slice(0, 40) });
    } else {
      findings.push(...findSecretLiterals(value, at));
    }
  }
  return findings;
}
