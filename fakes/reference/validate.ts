/**
 * Type checks for request input, applied before anything reaches a query: a value that is not the
 * plain string or number we expect (an object such as {"$gt": ""}, an array from a repeated query
 * parameter) is refused, so input can never become a MongoDB operator.
 */

export const MAX_ID_LENGTH = 200;

export const isId = (value: unknown, maxLength = MAX_ID_LENGTH): value is string =>
  typeof value === 'string' && value !== '' && value.length <= maxLength;

export const isKopecks = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
