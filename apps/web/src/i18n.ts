import type { Locale, Localized } from './types';

/**
 * Every string of the UI, Japanese first. Components take them through `t(key, values)`, so a
 * missing translation is a type error. `{name}` marks a value filled in at run time.
 */
const messages = {
  'app.name': { ja: '交流 Koryu', en: '交流 Koryu' },
  'app.skipToContent': { ja: '本文へ移動', en: 'Skip to main content' },
  'app.loading': { ja: '読み込み中…', en: 'Loading…' },
  'app.timesInJst': { ja: '日時はすべて日本時間（JST）で表示しています。', en: 'All dates and times are Japan Standard Time (JST).' },
  'app.retry': { ja: '再読み込み', en: 'Try again' },
  'list.separator': { ja: '、', en: ', ' },
  'list.colon': { ja: '：', en: ': ' },
  'app.pageTitle': { ja: '{page} | 交流 Koryu', en: '{page} | 交流 Koryu' },

  'language.label': { ja: '表示言語', en: 'Language' },

  'nav.label': { ja: 'メインメニュー', en: 'Main menu' },
  'nav.inbox': { ja: '受信箱', en: 'Inbox' },
  'nav.cases': { ja: '案件一覧', en: 'Cases' },
  'nav.notifications': { ja: 'お知らせ', en: 'Notifications' },
  'nav.unread': { ja: '（未読 {count} 件）', en: ' ({count} unread)' },
  'nav.user': { ja: 'ログイン中のユーザー', en: 'Signed in as' },
  'nav.logout': { ja: 'ログアウト', en: 'Sign out' },

  'error.network': { ja: 'サーバーに接続できませんでした。通信状況を確認して、もう一度お試しください。', en: 'Could not reach the server. Check your connection and try again.' },
  'error.unexpected': { ja: '予期しないエラーが発生しました。時間をおいてもう一度お試しください。', en: 'Something went wrong. Please try again later.' },
  'error.title': { ja: 'エラー', en: 'Error' },

  'login.title': { ja: 'ログイン', en: 'Sign in' },
  'login.intro': { ja: '自治体国際交流の業務システムです。登録されたメールアドレスとパスワードでログインしてください。', en: "The workflow system for local governments' international exchange programs. Sign in with your registered e-mail address and password." },
  'login.email': { ja: 'メールアドレス', en: 'E-mail address' },
  'login.password': { ja: 'パスワード', en: 'Password' },
  'login.submit': { ja: 'ログイン', en: 'Sign in' },
  'login.submitting': { ja: 'ログインしています…', en: 'Signing in…' },
  'login.required': { ja: 'メールアドレスとパスワードを入力してください。', en: 'Enter your e-mail address and password.' },
  'login.returnNotice': { ja: 'ログインすると、開いていたページに戻ります。', en: 'After signing in you will return to the page you were on.' },

  'inbox.title': { ja: '受信箱', en: 'Inbox' },
  'inbox.intro': { ja: 'あなたの対応を待っている案件です。期限の近いものから並んでいます。', en: 'Cases waiting for you, the most urgent first.' },
  'inbox.empty': { ja: '対応を待っている案件はありません。', en: 'Nothing is waiting for you.' },
  'inbox.count': { ja: '{count} 件の案件が対応を待っています。', en: 'Waiting for you: {count}.' },
  'inbox.survey': { ja: '参加意向調査', en: 'Participation survey' },

  'field.state': { ja: '状態', en: 'State' },
  'field.todo': { ja: '対応', en: 'To do' },
  'field.due': { ja: '期限', en: 'Due' },
  'field.noDue': { ja: 'なし', en: 'None' },
  'field.fiscalYear': { ja: '年度', en: 'Fiscal year' },
  'field.createdAt': { ja: '作成日時', en: 'Created' },
  'field.updatedAt': { ja: '更新日時', en: 'Updated' },

  'cases.title': { ja: '案件一覧', en: 'Cases' },
  'cases.filters': { ja: '絞り込み', en: 'Filter' },
  'cases.program': { ja: '事業', en: 'Program' },
  'cases.state': { ja: '状態', en: 'State' },
  'cases.stateHint': { ja: '事業を選ぶと、その事業の状態で絞り込めます。', en: 'Choose a program to filter by its states.' },
  'cases.all': { ja: 'すべて', en: 'All' },
  'cases.q': { ja: 'キーワード（件名）', en: 'Keywords (title)' },
  'cases.search': { ja: '検索', en: 'Search' },
  'cases.clear': { ja: '条件をクリア', en: 'Clear filters' },
  'cases.results': { ja: '検索結果', en: 'Results' },
  'cases.count': { ja: '{total} 件中 {shown} 件を表示しています。', en: 'Showing {shown} of {total} cases.' },
  'cases.empty': { ja: '条件に合う案件はありません。', en: 'No cases match these filters.' },
  'cases.more': { ja: 'さらに表示', en: 'Show more' },
  'cases.csv': { ja: 'この条件の一覧をCSVでダウンロード', en: 'Download these cases as CSV' },

  'case.notFound': { ja: '案件が見つかりません', en: 'Case not found' },
  'case.notFoundBody': { ja: 'この案件は存在しないか、閲覧する権限がありません。', en: 'This case does not exist, or you may not see it.' },
  'case.backToInbox': { ja: '受信箱に戻る', en: 'Back to the inbox' },
  'case.actions': { ja: '実行できる操作', en: 'Actions you can take' },
  'case.noActions': { ja: '現在、あなたが実行できる操作はありません。', en: 'There is nothing you can do on this case now.' },
  'case.diagram': { ja: '状態遷移図', en: 'State diagram' },
  'case.deadlines': { ja: '期限', en: 'Deadlines' },
  'case.noDeadlines': { ja: 'この案件に期限はありません。', en: 'This case has no deadlines.' },
  'case.data': { ja: '案件の内容', en: 'Case details' },
  'case.noData': { ja: '内容はまだ入力されていません。', en: 'Nothing has been entered yet.' },
  'case.history': { ja: '履歴', en: 'History' },
  'case.noHistory': { ja: '履歴はありません。', en: 'No history yet.' },

  'action.comment': { ja: 'コメント', en: 'Comment' },
  'action.required': { ja: '（必須）', en: '(required)' },
  'action.optional': { ja: '（任意）', en: '(optional)' },
  'action.commentMissing': { ja: 'コメントを入力してください。', en: 'Enter a comment.' },
  'action.transition': { ja: '「{from}」から「{to}」へ進みます。', en: 'Moves the case from “{from}” to “{to}”.' },
  'action.confirm': { ja: '「{action}」を実行', en: 'Confirm: {action}' },
  'action.submitting': { ja: '実行しています…', en: 'Working…' },
  'action.cancel': { ja: 'やめる', en: 'Cancel' },
  'action.done': { ja: '「{action}」を実行しました。現在の状態は「{state}」です。', en: '“{action}” done. The case is now “{state}”.' },
  'action.conflict': { ja: 'この案件は他の方が先に更新しました。最新の内容を読み込みましたので、確認してからもう一度実行してください。入力したコメントは残っています。', en: 'Someone else changed this case first. The latest version is now shown: check it and try again. Your comment has been kept.' },
  'action.unavailable': { ja: 'この操作は現在の状態では実行できません。入力したコメントは残っています。', en: 'This action is not possible in the current state. Your comment has been kept.' },
  'action.problems': { ja: '実行できませんでした。次の点を確認してください。', en: 'The action could not be taken. Check the following.' },
  'action.precheck': { ja: '現在の内容では、次の理由で実行できません。', en: 'With the current details this action will fail:' },

  'diagram.summary': { ja: '{program}の状態遷移図。全{count}状態。現在の状態は「{state}」です。', en: '{program} state diagram with {count} states. The case is now “{state}”.' },
  'diagram.current': { ja: '現在', en: 'Now' },
  'diagram.auto': { ja: '（自動）', en: ' (auto)' },
  'diagram.scrollHint': { ja: '状態遷移図（横にスクロールできます）', en: 'State diagram (scrolls sideways)' },
  'diagram.legend': { ja: '凡例', en: 'Legend' },
  'diagram.legendCurrent': { ja: '青地に「現在」：現在の状態', en: 'Blue with “Now”: the current state' },
  'diagram.legendTerminal': { ja: '二重枠：終了状態', en: 'Double border: a final state' },
  'diagram.legendNext': { ja: '青い太線：現在の状態から進める操作', en: 'Thick blue arrow: a step from the current state' },
  'diagram.legendAuto': { ja: '破線：期日に自動で実行', en: 'Dashed arrow: taken automatically on a date' },
  'diagram.textTitle': { ja: '状態遷移を文章で読む', en: 'Read the state diagram as text' },
  'diagram.textCurrent': { ja: '（現在の状態）', en: ' (current state)' },
  'diagram.textTerminal': { ja: '（終了状態）', en: ' (final state)' },
  'diagram.textNone': { ja: '次の状態はありません。', en: 'No further steps.' },
  'diagram.textStep': { ja: '「{action}」で「{to}」へ', en: '“{action}” leads to “{to}”' },

  'deadline.title': { ja: '項目', en: 'Deadline' },
  'deadline.dueAt': { ja: '期日', en: 'Due' },
  'deadline.status': { ja: '状況', en: 'Status' },
  'deadline.allDay': { ja: '{date}（終日）', en: '{date} (all day)' },
  'deadline.status.upcoming': { ja: '予定', en: 'Upcoming' },
  'deadline.status.due': { ja: '本日期限', en: 'Due today' },
  'deadline.status.overdue': { ja: '期限超過', en: 'Overdue' },
  'deadline.status.done': { ja: '完了', en: 'Done' },
  'deadline.status.cancelled': { ja: '対象外', en: 'No longer applies' },

  'history.system': { ja: 'システム', en: 'System' },
  'history.by': { ja: '実行者', en: 'By' },
  'history.changes': { ja: '変更された項目', en: 'Changed fields' },
  'history.override': { ja: 'ルールの適用除外：{reason}（{rules}）', en: 'Rule overridden: {reason} ({rules})' },
  'history.transition': { ja: '「{from}」から「{to}」へ', en: 'from “{from}” to “{to}”' },
  'history.started': { ja: '「{to}」で開始', en: 'started as “{to}”' },
  'history.before': { ja: '変更前：', en: 'Before: ' },
  'history.after': { ja: '変更後：', en: 'After: ' },
  'history.comment': { ja: 'コメント', en: 'Comment' },

  'data.yes': { ja: 'はい', en: 'Yes' },
  'data.no': { ja: 'いいえ', en: 'No' },
  'data.empty': { ja: '（未入力）', en: '(empty)' },
  'data.yen': { ja: '{amount}円', en: '¥{amount}' },

  'notifications.title': { ja: 'お知らせ', en: 'Notifications' },
  'notifications.empty': { ja: 'お知らせはありません。', en: 'You have no notifications.' },
  'notifications.unreadCount': { ja: '未読のお知らせが {count} 件あります。', en: 'Unread notifications: {count}.' },
  'notifications.unread': { ja: '未読', en: 'Unread' },
  'notifications.markRead': { ja: '既読にする', en: 'Mark as read' },
  'notifications.markedRead': { ja: '「{title}」を既読にしました。', en: '“{title}” marked as read.' },

  // Steps that are no program action: history's create and update, the inbox's survey answer.
  'builtinAction.create': { ja: '作成', en: 'Created' },
  'builtinAction.update': { ja: '内容を更新', en: 'Details updated' },
  'builtinAction.answer-survey': { ja: '参加意向を回答', en: 'Answer the survey' },

  'survey.title': { ja: '参加意向調査', en: 'Participation survey' },
  'survey.deadline': { ja: '回答期限', en: 'Answer by' },
  'survey.noDeadline': { ja: '未設定', en: 'Not set' },
  'survey.state': { ja: '受付状況', en: 'Status' },
  'survey.open': { ja: '回答受付中', en: 'Open for answers' },
  'survey.closed': { ja: '締切済み', en: 'Closed' },
  'survey.notStarted': { ja: '参加意向調査はまだ始まっていません。', en: 'The survey has not started yet.' },
  'survey.yourAnswer': { ja: '{organisation}の回答', en: 'Answer of {organisation}' },
  'survey.answer': { ja: '回答', en: 'Answer' },
  'survey.answeredAt': { ja: '回答日時', en: 'Answered' },
  'survey.closedNote': { ja: '調査は締め切られたため、回答は変更できません。', en: 'The survey is closed: the answer can no longer be changed.' },
  'survey.rolesNote': { ja: '回答できるのは、担当者と課長です。', en: 'Only staff and managers can answer.' },
  'survey.formTitle': { ja: '回答する', en: 'Answer' },
  'survey.formTitleChange': { ja: '回答を変更する', en: 'Change the answer' },
  'survey.intro': { ja: '出席の場合は、出席者、参加人数、プロモーションへの参加もお答えください。回答期限までは何度でも変更できます。', en: 'If you attend, also give the attendee level, the delegation size and whether you join the promotion. You can change the answer until the deadline.' },
  'survey.people': { ja: '{count}人', en: '{count}' },
  'survey.delegationHint': { ja: '{min}～{max}人', en: '{min} to {max} people' },
  'survey.joinsPromotionChoice': { ja: '知事団によるプロモーションに参加する', en: 'Joins the governors’ promotion' },
  'survey.send': { ja: '回答を送信', en: 'Send the answer' },
  'survey.sending': { ja: '送信しています…', en: 'Sending…' },
  'survey.sent': { ja: '参加意向を回答しました（{answer}）。', en: 'Your answer has been sent ({answer}).' },
  'survey.errorSummary': { ja: '回答を送信できませんでした。次の点を直してください。', en: 'The answer could not be sent. Fix the following.' },
  'survey.restored': { ja: '前回入力した回答を復元しました（まだ送信されていません）。', en: 'What you typed before has been restored (not sent yet).' },
  'survey.closedNow': { ja: '入力した内容は送信されていません。', en: 'What you typed has not been sent.' },
  'survey.summary': { ja: '集計', en: 'Summary' },
  'survey.invited': { ja: '招待', en: 'Invited' },
  'survey.count': { ja: '{count}団体', en: '{count}' },
  'survey.delegates': { ja: '参加人数の合計', en: 'Delegates in total' },
  'survey.tableCaption': { ja: '招待団体の回答（{count}団体）', en: 'Answers of the invited organisations ({count})' },
  'survey.organisation': { ja: '団体', en: 'Organisation' },
  'survey.sortHint': { ja: '列の見出しのボタンで並べ替えられます。最初は団体コード順です。', en: 'Sort with the buttons in the column headings; first in the order of the organisation codes.' },
  'survey.notApplicable': { ja: '該当なし', en: 'Not applicable' },

  'newCase.link': { ja: '新しい案件', en: 'New case' },
  'newCase.title': { ja: '新しい案件', en: 'New case' },
  'newCase.intro': { ja: '事業を選んで内容を入力し、下書きとして保存します。提出は保存した案件のページから行います。', en: 'Choose a program, fill in the form and save it as a draft. You submit it from the saved case’s page.' },
  'newCase.program': { ja: '事業', en: 'Program' },
  'newCase.noPrograms': { ja: 'あなたの組織が新しく始められる事業はありません。', en: 'Your organisation cannot start a case of any program.' },
  'newCase.variant': { ja: '{field}を選ぶと、その入力項目が表示されます。', en: 'Choose the {field} to see its form.' },
  'newCase.created': { ja: '下書きを保存しました。', en: 'Draft saved.' },

  'edit.button': { ja: '編集', en: 'Edit' },
  'edit.title': { ja: '編集：{title}', en: 'Edit: {title}' },
  'edit.untitled': { ja: '（件名なし）', en: '(untitled)' },
  'edit.notAllowed': { ja: 'この案件は、現在の状態では編集できません。', en: 'You cannot edit this case in its current state.' },
  'edit.someFields': { ja: 'この状態で変更できるのは一部の項目です。ほかの項目は表示のみです。', en: 'Only some fields can be changed in this state; the others are shown as they are.' },
  'edit.pending': { ja: 'この案件に、保存していない編集内容があります。', en: 'You have unsaved changes to this case.' },
  'edit.continue': { ja: '編集を続ける', en: 'Continue editing' },
  'edit.discard': { ja: '編集内容を破棄', en: 'Discard the changes' },
  'edit.discarded': { ja: '保存していない編集内容を破棄しました。', en: 'The unsaved changes were discarded.' },
  'edit.saved': { ja: '変更を保存しました。', en: 'Changes saved.' },
  'edit.back': { ja: '案件に戻る', en: 'Back to the case' },

  'form.requiredNote': { ja: '「必須」の項目は提出までに入力してください。下書きは途中まで入力して保存できます。', en: 'Fields marked “required” are needed to submit; a draft can be saved incomplete.' },
  'form.required': { ja: '必須', en: 'required' },
  'form.choose': { ja: '選択してください', en: 'Choose…' },
  'form.saveDraft': { ja: '下書きを保存', en: 'Save draft' },
  'form.save': { ja: '変更を保存', en: 'Save changes' },
  'form.cancel': { ja: 'やめる', en: 'Cancel' },
  'form.saving': { ja: '保存しています…', en: 'Saving…' },
  'form.loading': { ja: '入力フォームを読み込んでいます…', en: 'Loading the form…' },
  'form.errorSummary': { ja: '保存できませんでした。次の点を直してください。', en: 'Could not save. Fix the following.' },
  'form.toFix': { ja: '提出前に直す点が {count} 件あります。', en: '{count} things to fix before submitting.' },
  'form.toFixOne': { ja: '提出前に直す点が 1 件あります。', en: '1 thing to fix before submitting.' },
  'form.readyToSubmit': { ja: '提出に必要な内容はそろっています。', en: 'Everything needed to submit is there.' },
  'form.checking': { ja: '入力内容を確認しています…', en: 'Checking…' },
  'form.hintsNote': { ja: '保存すると、提出の条件もサーバーで確認されます。', en: 'Once saved, the server also checks the rules for submitting.' },
  'form.restored': { ja: '前回入力した内容を復元しました（まだ保存されていません）。', en: 'What you typed before has been restored (not saved yet).' },
  'form.discard': { ja: '入力内容を破棄', en: 'Discard what I typed' },
  'form.discarded': { ja: '入力内容を破棄しました。', en: 'What you typed was discarded.' },
  'form.conflict': { ja: 'この案件は、編集している間に他の方が更新しました。最新の内容を読み込みました。あなたの入力はフォームに残っています。', en: 'Someone else changed this case while you were editing. The latest version has been loaded; what you typed is still in the form.' },
  'form.conflictFields': { ja: '他の方が変更した項目：{fields}', en: 'Changed by the other person: {fields}' },
  'form.conflictBoth': { ja: 'あなたも変更した項目：{fields}（反映すると、あなたの入力が残ります）', en: 'Also changed by you: {fields} (re-applying keeps your input)' },
  'form.reapply': { ja: '入力した変更を最新の内容に反映', en: 'Re-apply my changes to the latest version' },
  'form.useLatest': { ja: '入力を破棄して最新の内容を表示', en: 'Discard my changes and show the latest version' },
  'form.reapplied': { ja: '入力した変更を最新の内容に反映しました。確認してから保存してください。', en: 'Your changes were re-applied to the latest version. Check them, then save.' },
  'form.add': { ja: '{field}を追加', en: 'Add to {field}' },
  'form.item': { ja: '{field} {n}', en: '{field} {n}' },
  'form.remove': { ja: '削除', en: 'Remove' },
  'form.removeItem': { ja: '{item}を削除', en: 'Remove {item}' },
  'form.removed': { ja: '{item}を削除しました。', en: '{item} removed.' },
  'form.noItems': { ja: 'まだありません。', en: 'None yet.' },
  'form.readOnly': { ja: 'この状態では変更できません', en: 'Cannot be changed in this state' },
  'form.hint.maxLength': { ja: '{max}文字以内', en: 'Up to {max} characters' },
  'form.hint.range': { ja: '{min}～{max}', en: '{min} to {max}' },
  'form.hint.min': { ja: '{min}以上', en: 'At least {min}' },
  'form.hint.yen': { ja: '円単位', en: 'In yen' },
  'form.hint.items': { ja: '{min}件以上', en: 'At least {min}' },
  'form.hint.maxItems': { ja: '{max}件まで', en: 'Up to {max}' },
  'form.hint.time': { ja: '24時間表記（例：14:30）', en: '24-hour clock (e.g. 14:30)' },
  'form.hint.datetime': { ja: '日本時間', en: 'Japan time' },
  'form.hint.email': { ja: '例：name@example.jp', en: 'e.g. name@example.jp' },
  'form.call.none': { ja: 'この事業スキームで受付中の公募はありません。', en: 'No call is open for this scheme.' },
  'form.call.option': { ja: '{fiscalYear} 第{round}回（{closesAt}締切）', en: '{fiscalYear}, round {round} (closes {closesAt})' },
  'form.call.closed': { ja: '（受付終了）', en: ' (closed)' },
  'form.call.error': { ja: '公募の一覧を読み込めませんでした。', en: 'Could not load the calls.' },

  'check.required': { ja: '入力してください。', en: 'Fill this in.' },
  'check.choose': { ja: '選択してください。', en: 'Choose one.' },
  'check.minLength': { ja: '{min}文字以上で入力してください。', en: 'Use at least {min} characters.' },
  'check.maxLength': { ja: '{max}文字以内で入力してください。', en: 'Use at most {max} characters.' },
  'check.pattern': { ja: '形式が正しくありません。', en: 'This is not in the expected format.' },
  'check.email': { ja: 'メールアドレスの形式で入力してください（例：name@example.jp）。', en: 'Enter an e-mail address (e.g. name@example.jp).' },
  'check.date': { ja: '日付を入力してください（例：2026-04-01）。', en: 'Enter a date (e.g. 2026-04-01).' },
  'check.time': { ja: '時刻を「14:30」の形で入力してください。', en: 'Enter a time like 14:30.' },
  'check.number': { ja: '数字で入力してください。', en: 'Enter a number.' },
  'check.integer': { ja: '整数で入力してください。', en: 'Enter a whole number.' },
  'check.minimum': { ja: '{min}以上にしてください。', en: 'Enter {min} or more.' },
  'check.maximum': { ja: '{max}以下にしてください。', en: 'Enter {max} or less.' },
  'check.minItems': { ja: '{min}件以上にしてください。', en: 'Give at least {min}.' },
  'check.maxItems': { ja: '{max}件以内にしてください。', en: 'Give at most {max}.' },
  'check.unique': { ja: '同じものが重複しています。', en: 'There are duplicates.' },

  'notFound.title': { ja: 'ページが見つかりません', en: 'Page not found' },
  'notFound.body': { ja: 'お探しのページは移動または削除されたか、URLが間違っている可能性があります。', en: 'The page may have moved or been removed, or the address may be wrong.' },
} as const satisfies Record<string, Localized>;

export type MessageKey = keyof typeof messages;
export type MessageValues = Record<string, string | number>;

export function translate(locale: Locale, key: MessageKey, values?: MessageValues): string {
  const text: string = messages[key][locale];
  return values ? text.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match)) : text;
}

/** A server title in the UI's language (Japanese when English is missing). */
export function pick(text: Localized, locale: Locale): string {
  return text[locale] || text.ja;
}

const TOKYO = 'Asia/Tokyo';
const INTL_LOCALE: Record<Locale, string> = { ja: 'ja-JP', en: 'en-GB' };
const formats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(locale: Locale, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}:${withTime}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
      timeZone: TOKYO,
      year: 'numeric',
      month: locale === 'ja' ? 'long' : 'short',
      day: 'numeric',
      weekday: 'short',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
    });
    formats.set(key, format);
  }
  return format;
}

/** An instant as a date and time in Japan: 2026年12月21日(月) 17:00. */
export function formatDateTime(iso: string, locale: Locale): string {
  return dateFormat(locale, true).format(new Date(iso));
}

/** The day in Japan of an instant, or a `YYYY-MM-DD` date as it is: 2026年12月21日(月). */
export function formatDate(isoOrDate: string, locale: Locale): string {
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(isoOrDate) ? `${isoOrDate}T00:00:00+09:00` : isoOrDate;
  return dateFormat(locale, false).format(new Date(instant));
}

export function formatNumber(value: number, locale: Locale): string {
  return value.toLocaleString(INTL_LOCALE[locale]);
}
