import JSONbig from 'json-bigint';

/**
 * Viber's ids (message_token and others) exceed 2^53, so JSON.parse would corrupt them.
 * This parser keeps every integer too large for a double as its exact decimal string.
 * Its objects have no prototype, which also makes `__proto__` keys harmless.
 */
const parser = JSONbig({ storeAsString: true, protoAction: 'ignore', constructorAction: 'ignore' });

export function parseExactJson(text: string): unknown {
  return parser.parse(text);
}
