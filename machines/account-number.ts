/** The manual's form of an account number: a Cyrillic letter prefix and digits, e.g. «инзб12345678». */
const ACCOUNT_NUMBER = /^[а-яё]{2,6}\d{6,12}$/;

/** Case, spaces and dashes do not matter: «ИНЗБ 1234-5678» is «инзб12345678», the form billing and the chat keep. */
export const normaliseAccount = (typed: string) =>
  typed
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s\u00a0-]/g, '');

export const isAccountNumber = (typed: string) => ACCOUNT_NUMBER.test(normaliseAccount(typed));
