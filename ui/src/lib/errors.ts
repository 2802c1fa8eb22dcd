import type { ErrorCode } from '../backend';
import { t } from '../i18n/index.svelte';

/** A short localized heading for an error code (the core's message is English detail). */
export function errorTitle(code: ErrorCode): string {
  switch (code) {
    case 'auth_failed':
      return t('error-auth-failed');
    case 'unreachable':
      return t('error-unreachable');
    case 'bad_certificate':
      return t('error-bad-certificate');
    case 'tls':
      return t('error-tls');
    case 'invalid_input':
      return t('error-invalid-input');
    case 'not_found':
      return t('error-not-found');
    case 'keyring':
      return t('error-keyring');
    case 'server':
      return t('error-server');
    case 'internal':
      return t('error-internal');
    case 'sign_in_again':
      return t('error-sign-in-again');
    case 'wrong_passphrase':
      return t('error-wrong-passphrase');
    case 'damaged':
      return t('error-damaged');
    case 'too_new':
      return t('error-too-new');
  }
}
