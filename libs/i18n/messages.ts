import type { Localized } from './locale';

/**
 * Messages of the error codes (API.md "Conventions"). Placeholders in `{braces}`.
 * Japanese is written for city-hall staff: polite, specific, and says what to do next.
 */
export const ERROR_MESSAGES: Record<string, Localized> = {
  VALIDATION_FAILED: { ja: '入力内容に誤りがあります。各項目の指摘を確認してください。', en: 'The request is invalid. Check the problems listed for each field.' },
  UNAUTHENTICATED: { ja: 'ログインが必要です。もう一度ログインしてください。', en: 'You need to sign in. Please sign in again.' },
  INVALID_CREDENTIALS: { ja: 'メールアドレスまたはパスワードが正しくありません。', en: 'The e-mail address or password is incorrect.' },
  FORBIDDEN: { ja: 'この操作を行う権限がありません。', en: 'You are not allowed to do this.' },
  CSRF_FAILED: { ja: 'セッションの確認に失敗しました。ページを再読み込みしてからやり直してください。', en: 'The session check failed. Reload the page and try again.' },
  NOT_FOUND: { ja: '対象が見つかりません。', en: 'Not found.' },
  CONFLICT: { ja: '既に登録されている値と重複しています。', en: 'This conflicts with an existing record.' },
  VERSION_CONFLICT: { ja: '他の方が先に更新しました。最新の内容を読み込んでからやり直してください。', en: 'Someone else changed this first. Reload the latest version and try again.' },
  RULE_FAILED: { ja: '業務ルールを満たしていません。', en: 'A rule of this program is not met.' },
  COMMENT_REQUIRED: { ja: 'この操作にはコメントが必要です。', en: 'This action needs a comment.' },
  INVALID_TRANSITION: { ja: '現在の状態ではこの操作はできません。', en: 'This action is not available in the current state.' },
  SURVEY_CLOSED: { ja: 'この参加意向調査は回答を受け付けていません。', en: 'This survey is not accepting answers.' },
  PAYLOAD_TOO_LARGE: { ja: '送信データが大きすぎます（上限 {limit}）。', en: 'The request body is too large (limit {limit}).' },
  UNSUPPORTED_MEDIA_TYPE: { ja: 'JSON 形式（Content-Type: application/json）で送信してください。', en: 'Send the body as JSON (Content-Type: application/json).' },
  RATE_LIMITED: { ja: '試行回数が上限を超えました。{seconds} 秒後にもう一度お試しください。', en: 'Too many attempts. Try again in {seconds} seconds.' },
  SERVICE_UNAVAILABLE: { ja: '一時的にサービスを利用できません。しばらくしてからもう一度お試しください。', en: 'The service is temporarily unavailable. Please try again shortly.' },
  INTERNAL_ERROR: { ja: 'システムエラーが発生しました。問題が続く場合はエラー ID {errorId} を管理者に伝えてください。', en: 'An unexpected error occurred. If it persists, give the administrator error id {errorId}.' },
};

/**
 * Messages of field-level validation problems, keyed by class-validator constraint name (plus a
 * few of our own). `{field}` is the field path; other placeholders come from the constraint.
 */
export const VIOLATION_MESSAGES: Record<string, Localized> = {
  COMMENT_REQUIRED: { ja: 'コメントを入力してください。', en: 'Enter a comment.' },
  unknownField: { ja: '{field} は受け付けられない項目です。', en: '{field} is not an accepted field.' },
  forbiddenKey: { ja: '{field} に使用できない項目名（__proto__・constructor・prototype）が含まれています。', en: '{field} contains a forbidden property name (__proto__, constructor, prototype).' },
  isDefined: { ja: '{field} は必須です。', en: '{field} is required.' },
  isNotEmpty: { ja: '{field} を入力してください。', en: '{field} must not be empty.' },
  isString: { ja: '{field} は文字列で入力してください。', en: '{field} must be a string.' },
  isInt: { ja: '{field} は整数で入力してください。', en: '{field} must be a whole number.' },
  isNumber: { ja: '{field} は数値で入力してください。', en: '{field} must be a number.' },
  isBoolean: { ja: '{field} は true または false で指定してください。', en: '{field} must be true or false.' },
  isEmail: { ja: '{field} はメールアドレスの形式で入力してください。', en: '{field} must be an e-mail address.' },
  isUuid: { ja: '{field} は UUID の形式で指定してください。', en: '{field} must be a UUID.' },
  isIn: { ja: '{field} は次のいずれかを指定してください: {values}', en: '{field} must be one of: {values}' },
  isEnum: { ja: '{field} は次のいずれかを指定してください: {values}', en: '{field} must be one of: {values}' },
  isArray: { ja: '{field} は配列で指定してください。', en: '{field} must be an array.' },
  isObject: { ja: '{field} はオブジェクトで指定してください。', en: '{field} must be an object.' },
  arrayMinSize: { ja: '{field} は {min} 件以上指定してください。', en: '{field} must have at least {min} items.' },
  arrayMaxSize: { ja: '{field} は {max} 件以内で指定してください。', en: '{field} must have at most {max} items.' },
  arrayUnique: { ja: '{field} に重複があります。', en: '{field} must not contain duplicates.' },
  min: { ja: '{field} は {min} 以上で入力してください。', en: '{field} must be at least {min}.' },
  max: { ja: '{field} は {max} 以下で入力してください。', en: '{field} must be at most {max}.' },
  minLength: { ja: '{field} は {min} 文字以上で入力してください。', en: '{field} must be at least {min} characters long.' },
  maxLength: { ja: '{field} は {max} 文字以内で入力してください。', en: '{field} must be at most {max} characters long.' },
  matches: { ja: '{field} の形式が正しくありません。', en: '{field} has an invalid format.' },
  isDateString: { ja: '{field} は日付（YYYY-MM-DD）で入力してください。', en: '{field} must be a date (YYYY-MM-DD).' },
  isIso8601: { ja: '{field} は ISO 8601 形式の日時で入力してください。', en: '{field} must be an ISO 8601 date-time.' },
  isSafeText: { ja: '{field} に使用できない文字（NUL 文字や不正なサロゲート）が含まれています。', en: '{field} contains characters that cannot be stored (NUL or an unpaired surrogate).' },
  isCode: { ja: '{field} は 1～12 文字の英数字で入力してください。', en: '{field} must be 1–12 letters or digits.' },
  isPassword: { ja: 'パスワードは 12 文字以上 256 文字以内で入力してください。', en: 'The password must be 12 to 256 characters long.' },
  whitelistValidation: { ja: '{field} は受け付けられない項目です。', en: '{field} is not an accepted field.' },
  nestedValidation: { ja: '{field} の形式が正しくありません。', en: '{field} has an invalid shape.' },
  invalidJson: { ja: 'JSON の構文が正しくありません。', en: 'The body is not valid JSON.' },
  unique: { ja: '{field} は既に使われています。', en: '{field} is already in use.' },
  invalid: { ja: '{field} の値が正しくありません。', en: '{field} is invalid.' },
  notEditable: { ja: '{field} はこの段階では変更できません。', en: '{field} cannot be changed at this stage.' },
  arrayNotEmpty: { ja: '{field} は 1 件以上指定してください。', en: '{field} must have at least one item.' },
  isPositive: { ja: '{field} は正の数で入力してください。', en: '{field} must be a positive number.' },
  isISO31661Alpha2: { ja: '{field} は国コード（ISO 3166-1 の英字 2 文字、例: VN）で入力してください。', en: '{field} must be a country code (ISO 3166-1 alpha-2, e.g. VN).' },
  isISO6391: { ja: '{field} は言語コード（ISO 639-1、例: en）で入力してください。', en: '{field} must be a language code (ISO 639-1, e.g. en).' },
  isMilitaryTime: { ja: '{field} は時刻（HH:MM）で入力してください。', en: '{field} must be a time (HH:MM).' },
  isPhoneNumber: { ja: '{field} は電話番号の形式で入力してください。', en: '{field} must be a phone number.' },
};
