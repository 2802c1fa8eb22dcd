# Satu — English strings. Every id here must also exist in ms.ftl.

app-name = Satu

## Sidebar

sidebar-label = Views and accounts
view-inbox = Inbox
view-all = All
view-unread = Unread
view-flagged = Flagged
view-tasks = Tasks
sidebar-accounts = Accounts
accounts-none = No accounts yet
account-local = On this computer
account-in-timeline = Show in All
sidebar-folders = Folders of { $account }
folder-inbox = Inbox
add-account = Add account

## Top bar

search-label = Search
search-placeholder = Search mail, chats, tasks and events
search-clear = Clear the search
language-label = Language
language-en = English
language-ms = Bahasa Melayu
shortcuts-button = Shortcuts
settings-button = Settings
settings-title = Settings
settings-notifications = Notifications
settings-dnd = Do not disturb (no notifications for new mail)
settings-offline = Mail kept offline
settings-offline-hint = Older mail keeps its subject and sender here; its message is downloaded when you open it, and searched on the server.
settings-offline-all = All mail
settings-offline-days = { $days ->
    [365] The last year
   *[other] The last { $days } days
}
settings-offline-folders = Each folder
settings-offline-as-account = As the account
settings-offline-new-before = New accounts keep all their mail offline when it is under
settings-offline-new-middle = MB; larger ones keep the last
settings-offline-new-after = days
settings-account-notify = Notify new mail of { $account }
settings-tasks = Tasks
settings-task-from-flagged = Flagging a mail makes its task
settings-unflag-on-done = Completing a task unflags its mail
settings-progress-from-replies = A reply in a task's conversation moves it to In progress

## Timeline

timeline-label = Timeline
search-results = Search results
timeline-loading = Loading…
timeline-empty = Nothing here yet.
timeline-empty-unread = You have read everything.
search-empty = Nothing matches “{ $text }”.
search-index-pending = { $count ->
    [one] One message is still being indexed: until then it is found by its subject and sender only.
   *[other] { $count } messages are still being indexed: until then they are found by their subject and sender only.
}
load-older = Load older items
kind-mail = Mail
kind-chat = Chat
kind-task = Task
kind-event = Event
item-unread = Unread
item-flagged = Flagged
item-answered = Replied
sender-none = No sender
title-none = (no subject)
time-now = just now

## Reading pane

pane-empty = Select an item to read it.
pane-loading = Loading…
pane-from = From
pane-to = To
pane-date = Date
pane-attachments = Attachments
attachment-open = Open
settings-help = Help
settings-app = The app
settings-start-at-login = Start Satu when I log in
settings-identities = Addresses and signatures
identities-of = Addresses of { $account }
identity-has-signature = with a signature
identity-edit = Edit
identity-remove = Remove
identity-add = Add an address
identity-address = Address
identity-name = Name shown to recipients
identity-signature = Signature (under new messages, replies and forwards)
identity-save = Save
settings-keep-running = Keep Satu running in the notification area when its window is closed (it goes on syncing and notifying; open it again from the tray icon or by starting Satu)
diagnostics-copy = Copy diagnostics
diagnostics-copied = Copied: versions, servers, settings and the last log lines (no passwords, tokens or messages).
diagnostics-by-hand = The clipboard is not available; copy this:
attachment-save = Save
attachment-save-all = Save all { $count }
attachment-saved = Saved to { $path }
attachments-saved = { $count } attachments saved in { $folder }
pane-body-title = Message content
pane-no-body = This item has no text.
remote-blocked = { $count ->
    [one] Satu blocked a remote image in this message: loading it can tell the sender that you read it.
   *[other] Satu blocked { $count } remote images in this message: loading them can tell the sender that you read it.
}
remote-load = Load for this message
remote-always = Always for { $address }
link-warning-title = Check where this link goes
link-warning-punycode = This link goes to { $host }, a name written in other alphabets that can look like a familiar one. Open it only if you expected it.
link-warning-userinfo = This link hides its real address: it goes to { $host }, whatever it shows first.
link-open-anyway = Open { $host }
link-cancel = Don’t open
link-refused = Satu does not follow { $scheme } links: they could run code or open files.
pane-folder = Folder
pane-task = Task
pane-open-task = Open the task
pane-status = Status
pane-due = Due
pane-from-mail = Made from
pane-sender-check = Sender
sender-unchecked = Not checked yet
sender-verified = Verified
sender-unverified = Not verified
sender-failed = Failed its checks
sender-verified-means = The domain in From signed or sent this mail itself: it comes from who it says.
sender-unverified-means = Nothing proves who sent this mail: its domain publishes no policy and did not sign it. Be careful with requests for money or passwords.
sender-failed-means = This mail failed its sender's own checks: it may be forged. Do not trust its links or requests.
sender-unchecked-means = Satu checks the sender when the mail arrives or is opened.
sender-checked-here = Checked by Satu on { $time }.
sender-checked-provider = Checked by your mail provider when it arrived; read on { $time }.
trust-guard = This mail claims to come from { $domain }, but { $domain } says mail from it is signed or sent by its own servers, and this one is neither. Links and images are off.
trust-insist = Show links and images anyway
trust-warning-lookalike = Look-alike address
trust-warning-mixed-script = Mixed alphabets
trust-warning-display-name = A contact's name on another address
trust-warning-reply-to = Replies go elsewhere
pane-open-mail = Open the mail
task-status-open = To do
task-status-done = Done
task-status-in-process = In progress
task-status-cancelled = Cancelled
task-activity = Activity
# A reply in the task's conversation changed its status; $status: e.g. "In progress".
task-activity-moved = moved the task to { $status }
pane-priority = Priority
task-priority-high = High
task-priority-medium = Medium
task-priority-low = Low
# The tooltip of a task's priority: its number on the iCalendar scale.
task-priority-number = Priority { $priority } (1 is the highest, 9 the lowest)
# The mark of a high-priority task in the timeline.
item-high-priority = High priority
pane-progress = Progress
task-percent = { $percent } % done
pane-task-parent = Subtask
task-part-of = Part of another task
task-rename = Rename
task-title-label = Task title
task-title-save = Save
task-title-empty = Give the task a title.
task-delete = Delete task
task-delete-confirm = Delete this task?
task-delete-yes = Delete
task-delete-keep = Keep
# $reason: why, from the core (English).
pane-quarantined = Parts of this message could not be read: { $reason }
pane-remote-downloading = Only the header of this message is here: downloading the message from the server…
pane-remote-failed = The message is on the server and could not be downloaded: { $reason }
pane-remote-bytes = { $done } of { $total }
pane-remote-retry = Try again
search-server = On the server
search-server-failed = The server could not be searched: { $reason }

## Mail actions

actions-label = Actions
action-mark-read = Mark read
action-mark-unread = Mark unread
action-flag = Flag
action-unflag = Unflag
action-archive = Archive
action-delete = Delete
action-move = Move to…
action-snooze = Snooze…
pane-list = Mailing list
unsubscribe = Unsubscribe
unsubscribe-one-click = Leave this list with one click (the sender's signature was checked)
unsubscribe-by-mail = Leave this list by sending it a message
unsubscribe-on-web = Open the list's page to leave it
unsubscribed = Unsubscribed: the list was told.
unsubscribe-queued = The unsubscribe message is in the outbox.
unsubscribe-page = The list's page opened in your browser: leave the list there.
action-print = Print
print-from = From
print-to = To
print-date = Date
print-opened = The message opened in your browser to print.
shortcut-print = Print the open message
quote-header = On { $date }, { $name } wrote:
sender-unknown = someone
snooze-title = Snooze until
snooze-later = Later today
snooze-tomorrow = Tomorrow
snooze-next-week = Next week
snooze-pick = Or pick a date and time
snooze-submit = Snooze
snoozed = Snoozed until { $time }: it comes back to the top of the Inbox, unread.
snoozed-until = Snoozed until { $time }
unsnooze = Back to the Inbox now
view-snoozed = Snoozed
shortcut-snooze = Snooze the conversation
action-make-task = Make task
action-show-task = Show task
action-done = Mark done
action-reopen = Reopen
task-made = Task made: { $title }
task-exists = This mail already has a task: { $title }
move-title = Move to a folder
move-folder = Folder name
move-submit = Move
# A button's tooltip: its label and its keyboard shortcut.
action-tooltip = { $label } ({ $key })
offline-saved = Saved here; it will reach the server when it’s back online.

## Pending changes

pending-count =
    { $count ->
        [one] One change waiting for the server
       *[other] { $count } changes waiting for the server
    }
pending-title = Pending changes
pending-intro = These changes are saved on this computer and will be sent when the server can be reached.
pending-none = Nothing is waiting for the server.
op-set-flags = Read or flagged state
op-move = Move to another folder
op-expunge = Delete for good
op-pending = Waiting
op-wedged = Stopped
op-attempts =
    { $attempts ->
        [0] not tried yet
        [one] one failed attempt
       *[other] { $attempts } failed attempts
    }
op-next = next attempt { $time }
op-retry = Retry

## First run

welcome-title = Welcome to Satu
welcome-text = Your mail, chats, tasks and events in one timeline. Look around in the sample mailbox, or add your own mail account.
open-sample = Open the sample mailbox
sample-opening = Opening the sample mailbox…
sample-opened =
    { $imported ->
        [0] The sample mailbox is already open.
        [one] One message imported from the sample mailbox.
       *[other] { $imported } messages imported from the sample mailbox.
    }

## Account form

account-form-title = Add a mail account
field-email = Email address
field-name = Display name
field-optional = Optional
field-imap = IMAP server (host:port)
field-smtp = SMTP server (host:port)
field-security = Security
security-tls = TLS (recommended)
security-starttls = STARTTLS
security-plain = None (only for this computer)
field-username = User name
field-username-hint = Optional; the email address by default
field-password = Password
field-ca-file = CA certificate file
field-ca-file-hint = Optional; path to a PEM file
form-submit = Add account
form-busy = Checking the login…
form-busy-finding = Finding the servers…
account-form-intro = Your address and password are enough: Satu finds the servers (the domain's settings file, Thunderbird's provider list, DNS). Or enter them yourself.
field-server-found = Found from the address
discover-button = Find the servers
signin-oauth = { $provider ->
    [none] Sign in with the provider
   *[other] Sign in with { $provider }
}
signin-oauth-only = { $provider } takes no password for mail: sign in through it.
signin-busy = Waiting for the sign-in…
signin-waiting = Finish signing in in the browser window that opened; Satu waits here.
signin-by-hand = If no browser opened, open this address yourself:
signin-again = Sign in again
compose-link-busy = Finish the message you are writing first, then open the mail link again.
signin-again-done = { $account } is signed in again.
field-issuer-summary = Your organisation signs you in (self-hosted mail)
field-issuer = Sign-in address (OpenID Connect issuer)
discover-busy = Looking…
discover-found = Found in { $source }.
discover-source-autoconfig = the domain's settings file
discover-source-ispdb = Thunderbird's provider list
discover-source-srv = the domain's DNS records
discover-source-autodiscover = Microsoft's Autodiscover
discover-source-guess = the usual server names (tried)
discover-source-well-known = the domain's well-known address
discover-caldav = Also sync calendars and tasks ({ $url })
discover-caldav-failed = The mail account was added, but not its calendars: { $reason }
cancel = Cancel

## Shortcuts

shortcuts-title = Keyboard shortcuts
shortcut-next = Next item
shortcut-previous = Previous item
shortcut-open = Open the selected item
shortcut-search = Search
shortcut-toggle-read = Mark read or unread
shortcut-toggle-flag = Flag or unflag
shortcut-archive = Archive
shortcut-delete = Delete
shortcut-move = Move to a folder
shortcut-make-task = Make the mail a task (on a task: done / reopen)
shortcut-help = Show or hide this list
shortcut-escape = Close a window or clear the search
close = Close
dismiss = Dismiss

## Sync status

account-status-connecting = Connecting…
account-status-syncing = Syncing…
account-status-idle = Connected · push
account-status-poll = Connected · checks every minute
account-status-offline = Offline
account-status-stopped = Stopped
account-status-connecting-detail = Connecting to the mail server.
account-status-syncing-detail = Fetching new mail from the server.
account-status-syncing-progress = Fetching { $folder }: { $done } of { $total }.
account-status-idle-detail = New mail appears as soon as the server has it (push).
account-status-poll-detail = This server cannot announce new mail, so Satu checks for it every minute.
account-status-offline-detail = The server cannot be reached.
account-status-stopped-detail = Syncing has stopped.
sync-retry-at = Retrying at { $time }.
sync-reconnecting = Trying to connect again…
sync-progress-label = Sync progress
sync-progress = Syncing { $folder } — { $done } of { $total }
sync-progress-more =
    { $count ->
        [one] and one more account
       *[other] and { $count } more accounts
    }
account-unknown = Account { $id }
offline-account = Offline: { $account } — { $error }.
offline-account-no-error = Offline: { $account }.
offline-kept = Your changes are kept and will be sent.
sync-paused = Sync is paused: nothing is fetched or sent. Your changes are kept and go out when it resumes.
sync-resume = Resume sync
tray-open = Open Satu
tray-compose = New message
tray-pause = Pause sync
tray-resume = Resume sync
tray-quit = Quit Satu
tray-unread = Satu: { $unread } unread
# For screen readers, once when accounts go offline (the banner has the details).
offline-announce = Offline: { $accounts }. Your changes are kept and will be sent.
offline-over = Connected again.

## Errors (a heading; the details come from the core)

error-auth-failed = The login failed.
error-unreachable = The server cannot be reached.
error-bad-certificate = The server’s certificate is not trusted.
error-tls = The secure connection failed.
error-invalid-input = Please check the input.
error-not-found = It no longer exists.
error-keyring = The system keyring cannot be used.
error-sign-in-again = Sign in again
error-wrong-passphrase = Wrong passphrase
error-damaged = Damaged file
error-too-new = Made by a newer Satu
error-server = The server refused the request.
error-internal = Something went wrong.

thread-size = { $count ->
    [one] One message
   *[other] { $count } messages
}
conversation-label = { $count ->
    [one] Conversation of one message
   *[other] Conversation of { $count } messages
}
pane-conversation = Conversation
threads-button = Conversations
threads-button-title = One row per conversation (its newest message)
settings-timeline = Timeline
settings-threads = Group messages by conversation
task-due-clear = No due date
task-due-none = None

action-reply = Reply
action-reply-all = Reply all
action-forward = Forward
shortcut-compose = Write a new message
shortcut-reply = Reply
shortcut-reply-all = Reply to all
shortcut-forward = Forward
shortcut-send = Send (in the compose window)
compose-button = Write
compose-new = New message
compose-reply = Reply
compose-forward = Forward
compose-from = From
compose-to = To
compose-cc = Cc
compose-bcc = Bcc
compose-add-cc = Add Cc and Bcc
compose-subject = Subject
compose-body = Message
compose-later = Send later
compose-discard = Discard
compose-send = Send
compose-send-later = Send later
compose-sending = Sending…
compose-no-account = Add a mail account to send messages.
send-queued = { $seconds ->
    [one] Sending in one second.
   *[other] Sending in { $seconds } seconds.
}
send-undo = Undo
send-undone = Not sent: the message is back in the compose window.
send-sent = Message sent.
send-later-queued = The message will go out at { $time }.
send-offline = Saved in the outbox: it goes out when the server can be reached.
outbox-button = Outbox
outbox-title = Outbox
outbox-empty = Nothing waiting to be sent.
outbox-state-queued = Waiting
outbox-state-sending = Sending
outbox-state-sent = Sent
outbox-state-failed = Not sent
outbox-state-cancelled = Taken back
outbox-retry = Retry
outbox-resend = Send again anyway
outbox-cancel = Take back
outbox-at = Goes out at { $time }
settings-backups = Backups
backup-hint = A backup holds all your mail, chats, tasks, events and settings, encrypted with your passphrase. Passwords are not in it: you enter them again after a restore.
backup-every = Back up
backup-every-off = Never by itself
backup-every-hours = Every { $hours } hours
backup-every-day = Every day
backup-every-week = Every week
backup-dir = Into the folder
backup-keep = Keep the newest
backup-keep-invalid = Keep between 1 and 1,000 backups.
backup-passphrase = Passphrase
backup-passphrase-hint = At least 8 characters. You need it to restore: write it down somewhere safe.
backup-passphrase-kept = Kept in the system's keyring; type a new one to change it.
backup-save = Save the schedule
backup-saved = Saved.
backup-now = Back up now
backup-now-busy = Backing up…
backup-made = Written to { $path } ({ $size }) and checked.
backup-size = { $mb } MB
backup-state-verified = checked
backup-state-written = written
backup-state-gone = deleted
backup-state-failed = failed: { $error }
backup-none = No backups yet.
settings-rules = Rules
rules-hint = A rule acts on new mail when it arrives, each mail once, in the order listed. Write its conditions and actions in words, as `satu rule add` takes them.
rules-none = No rules yet.
rules-runs = { $count ->
    [one] acted on one mail
   *[other] acted on { $count } mails
}
rules-on = On
rules-remove = Remove
rules-name = Name
rules-when = When (from:, to:, subject:, has:attachment, sender:failed, …)
rules-then = Do (one per line: read, flag, archive, delete, move:FOLDER, task due:+2d, stop)
rules-count = Would match { $count } of the last { $of } mails
rules-add = Add the rule
settings-domain = Your mail domain
domain-hint = Check your company's domain as senders and receivers see it: where its mail goes, who may send in its name (SPF, DKIM, DMARC), and the records to publish. The delivery test sends a mail to yourself and shows how the receiving server judged it.
domain-name = Domain
domain-selectors = DKIM selectors (optional)
domain-check = Check
domain-checking = Checking…
domain-checking-long = Asking the domain's DNS and mail servers; this can take up to a minute.
domain-good = all good
domain-info = good, with suggestions
domain-warning = needs attention
domain-bad = broken
domain-copy = Copy
domain-copied = Copied
domain-test-account = Send a test from
domain-test = Run the delivery test
domain-testing = Waiting for the test mail…
domain-test-result = Delivered in { $seconds } s. SPF: { $spf }, DKIM: { $dkim }, DMARC: { $dmarc }.
settings-audit = Audit trail
audit-hint = Every change and disclosure of your data — here, from the command line, or on another device — with who did it and when. Each entry is chained to the one before, so a change to the record shows.
audit-filters = Filter the audit trail
audit-from = From
audit-to = To
audit-account = Account
audit-kind = Kind
audit-all = All
audit-kind-mail = Mail
audit-kind-task = Tasks
audit-kind-event = Events
audit-kind-chat = Chat
audit-kind-account = Accounts
audit-kind-setting = Settings
audit-kind-export = Exports
audit-kind-attachment = Attachments
audit-kind-backup = Backups
audit-kind-audit = The audit trail itself
audit-origin-window = in the window
audit-origin-cli = command line
audit-origin-server = from the server
audit-origin-schedule = scheduled
audit-none = No entries.
audit-when = When
audit-what = What
audit-who = Who
audit-detail = Details
audit-more = The newest { $shown } are shown; the export has them all.
audit-verify = Check the record
audit-export-csv = Export as CSV
audit-export-jsonl = Export as JSON lines
audit-intact = The record is intact: { $entries } entries, each following the one before.
audit-broken-at = The record was altered at entry { $id }: { $reason }
audit-broken = The record was altered: { $reason }
audit-exported = Written to { $path }.
password-again = Enter the password
password-title = The password for { $account }
password-hint = Satu has no password for { $user } (restored from a backup without the passwords, or the system's keyring was reset). It is checked with the server, then kept in the keyring.
password-label = Password
password-empty = Enter the password.
password-cancel = Cancel
password-save = Sign in
password-checking = Checking…
settings-sending = Sending
settings-undo-before = Wait
settings-undo-after = seconds before a message goes out, so that it can be taken back (Undo)
compose-attach = Attach files
compose-remove-recipient = Remove { $recipient }
compose-drop-here = Drop the files to attach them
compose-pasted-name = pasted
compose-attachments = Attachments
compose-remove-file = Remove { $name }
outbox-edit = Edit
task-keep-here = Keep this version
task-keep-server = Keep the server's

## Calendar: recurrence and alarms in words

repeat-daily = { $interval ->
    [one] Every day
   *[other] Every { $interval } days
}
repeat-weekly = { $interval ->
    [one] Every week
   *[other] Every { $interval } weeks
}
repeat-weekly-on = { $interval ->
    [one] Every week on { $days }
   *[other] Every { $interval } weeks on { $days }
}
repeat-monthly = { $interval ->
    [one] Every month
   *[other] Every { $interval } months
}
repeat-yearly = { $interval ->
    [one] Every year
   *[other] Every { $interval } years
}
repeat-count = { $count ->
    [one] { $rule }, once
   *[other] { $rule }, { $count } times
}
repeat-until = { $rule }, until { $date }
alarm-at-start = At the start
alarm-before = { $amount } before
alarm-after = { $amount } after the start
duration-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
duration-hours = { $count ->
    [one] 1 hour
   *[other] { $count } hours
}
duration-days = { $count ->
    [one] 1 day
   *[other] { $count } days
}

## Calendar view

view-calendar = Calendar
calendar-label = Calendar
calendar-toolbar = Calendar
calendar-today = Today
calendar-previous = Previous
calendar-next = Next
calendar-modes = Show
calendar-day = Day
calendar-week = Week
calendar-month = Month
calendar-new = New event
calendar-more = { $count ->
    [one] +1 more
   *[other] +{ $count } more
}
calendar-none = No calendars yet: add a CalDAV account to see and make events.
event-all-day = All day
event-title-none = (no title)
event-pending = Not synced yet
event-sync-error = In conflict with the server: choose a version
event-detail-label = Event

## Event detail

event-when = When
event-repeats = Repeats
event-repeat-custom = By the rule { $rule }
event-own-zone = { $start } – { $end } in { $zone }
event-where = Where
event-calendar = Calendar
event-status = Status
event-status-tentative = Tentative
event-status-cancelled = Cancelled
event-organizer = Organizer
event-attendees = Guests
event-alarms = Reminders
event-sync = Sync
partstat-accepted = Accepted
partstat-tentative = Maybe
partstat-declined = Declined
partstat-delegated = Delegated
partstat-needs-action = No answer yet
event-edit = Edit
event-delete = Delete
event-delete-confirm = Delete this event?
event-delete-series-confirm = Delete this event and all its repetitions?

## Event editor

event-editor-new = New event
event-editor-edit = Edit event
event-editor-series = This event repeats: the changes apply to every time.
event-editor-hint = Ctrl+Enter saves, Esc cancels
event-field-title = Title
event-field-calendar = Calendar
event-field-all-day = All day
event-field-start = Starts
event-field-start-time = Start time
event-field-end = Ends
event-field-end-time = End time
event-field-last-day = Last day
event-field-zone = Time zone
event-zone-local = { $zone } (this computer)
event-field-repeat = Repeat
event-repeat-none = Does not repeat
event-repeat-daily = Every day
event-repeat-weekly = Every week
event-repeat-monthly = Every month
event-repeat-yearly = Every year
event-field-location = Location
event-field-description = Description
event-save = Save
event-saving = Saving…
event-error-title = Give the event a title.
event-error-calendar = Choose a calendar.
event-error-date = Enter a date.
event-error-time = Enter a date and a time.
event-error-end-before-start = The event ends before it starts.

## CalDAV accounts and task lists

caldav-add = Add CalDAV account
caldav-form-title = Add a CalDAV account
caldav-form-intro = Calendars and task lists from a CalDAV server (Nextcloud, Radicale, Fastmail, …). Satu looks for them from the address you give.
caldav-field-url = Server address
caldav-field-name-hint = Optional; user@server by default
caldav-submit = Add account
caldav-busy = Looking for calendars and task lists…
caldav-busy-short = Looking…
caldav-added = { $count ->
    [0] CalDAV account added; it has no calendars yet.
    [one] CalDAV account added with one calendar.
   *[other] CalDAV account added with { $count } calendars.
}
settings-calendars = Calendars and task lists
settings-calendars-none = No CalDAV account yet.
settings-tasks-go-here = Tasks made from mail go here
settings-tasks-go-here-one = Tasks made from mail go to one task list, whichever account it is in.
calendar-holds-events = Events
calendar-holds-tasks = Tasks
calendar-holds-both = Events and tasks

## Invitations

invitation-label = Invitation
invitation-answer = Your answer
invitation-accept = Accept
invitation-tentative = Tentative
invitation-decline = Decline
invitation-sending = Sending…
invitation-answered-accepted = You accepted.
invitation-answered-tentative = You said maybe.
invitation-answered-declined = You declined.
invitation-cancelled = The organizer cancelled this event.
invitation-open-event = Show in the calendar

## Shortcuts: views and the calendar

shortcut-go-inbox = Go to the Inbox
shortcut-go-all = Go to All
shortcut-go-views = Go to Unread, Flagged, Tasks
shortcut-go-calendar = Go to the Calendar
shortcuts-calendar = In the Calendar
shortcut-calendar-modes = Day, week, month
shortcut-calendar-today = Today
shortcut-calendar-next = Next day, week or month
shortcut-calendar-previous = Previous day, week or month
shortcut-calendar-new = New event
shortcut-calendar-save = Save (in the event editor)

## Chat (Matrix)

view-chats = Chats
sidebar-rooms = Rooms of { $account }
room-invited = Invited
room-muted = Muted
timeline-empty-chats = No chats yet.
timeline-empty-room = No messages in this room yet.
chat-queued = Sending…
chat-failed = Not sent
# $error: why, from the core (English).
chat-failed-because = Not sent: { $error }
chat-retry = Retry
chat-edited = edited
chat-redacted = Message deleted
chat-encrypted = Encrypted message — Satu cannot read it yet
chat-room-encrypted = This room is end-to-end encrypted: Satu cannot read its messages yet.
chat-conversation-label = Messages of { $room }
chat-show-earlier = { $count ->
    [one] Show one earlier message
   *[other] Show { $count } earlier messages
}
chat-load-older = Load older messages
chat-loading-older = Loading older messages…
chat-history-none = There are no older messages.
chat-reply = Reply
chat-reply-to-older = In reply to an older message
chat-replying-to = Replying to { $sender }: { $snippet }
chat-reply-cancel = Cancel reply
chat-reply-label = Message to { $room }
chat-reply-placeholder = Write a message (Enter sends, Shift+Enter for a new line)
chat-send = Send
chat-sending = Sending…
chat-invited = You are invited to { $room }.
chat-join = Join
chat-joining = Joining…
chat-joined = You joined { $room }.
chat-left = You are no longer in this room.
pane-topic = Topic
pane-open-chat = Open the message
account-status-longpoll = Connected · live
account-status-longpoll-detail = New messages appear as soon as the homeserver has them.
settings-room-notify = Notify new messages in { $room }
settings-chat = Chat
settings-chat-none = No chat account yet.
matrix-add = Add chat account (Matrix)
matrix-form-title = Add a chat account (Matrix)
matrix-form-intro = Chats from a Matrix homeserver (matrix.org, Element, Synapse, …). Satu signs in once and keeps only an access token, never the password.
matrix-field-homeserver = Homeserver
matrix-field-user = User name
matrix-field-user-hint = alice or @alice:example.org
matrix-field-password-hint = Used once to sign in.
matrix-field-token = Access token
matrix-field-token-hint = Optional; instead of the password
matrix-field-name-hint = Optional; the user id by default
matrix-submit = Add account
matrix-busy = Signing in to the homeserver…
matrix-busy-short = Signing in…
matrix-added = { $count ->
    [0] Chat account added; it has no rooms yet.
    [one] Chat account added with one room.
   *[other] Chat account added with { $count } rooms.
}
shortcut-go-chats = Go to the Chats
shortcuts-chat = In a chat
shortcut-chat-reply = Write in the reply box
shortcut-chat-send = Send the message
shortcut-chat-newline = A new line
shortcut-chat-leave = Leave the reply box
shortcut-chat-task = Make the message a task

health-button = Health
health-title = Sync health
health-delivery = Mail delivery delay
health-read = Read status synced
health-calendars = Calendars updated
health-offline = Latest data offline
health-backup = Backups
health-good = Good
health-warning = Warning
health-bad = Needs attention
health-off = Not measured
health-seconds = { $seconds } s
health-percent = { $percent } %
health-chart-delay = Delivery delay (95th percentile of each bar; the line is 3 s)
health-chart-errors = Sync attempts and errors
health-hour-attempts = { $attempts } attempts, { $errors } failed
health-account = Account
health-logins = Logins that succeeded
health-errors = Syncs that failed
health-week = 7 days: { $value }
health-failure = { $class ->
    [password] Password: { $count }
    [network] Network: { $count }
    [tls] Certificate or TLS: { $count }
    [refused] Refused by the server: { $count }
    [throttled] Throttled: { $count }
   *[other] Other: { $count }
}
health-close = Close
health-diagnostics = Diagnostics
health-diagnose = Run the diagnostics
health-diagnose-again = Run them again
health-diagnosing = Asking the servers…
health-diagnosed-by-themselves = Run by themselves for { $account } ({ $time }) when its mail arrived late:
health-fix = What to do: { $fix }
health-coverage = Mail kept with its header only
health-coverage-folder = { $local } of { $messages } messages have their body here
health-range = Period
health-range-day = Last 24 hours
health-range-week = Last 7 days
health-delays = Delivery delay (median / 95 %)
health-push = push: { $delay }
health-delivery-none = No new mail arrived while Satu was running in the last 24 hours: nothing to measure yet.
health-delivery-cut-off = No mail arrives now: an account cannot reach its server. Satu tries again by itself; the diagnostics below say why.
health-delivery-within = New mail arrived here within { $seconds } s (95 % of it, last 24 hours).
health-delivery-slow = New mail took up to { $seconds } s to arrive here (95 % of it, last 24 hours): the diagnostics below say whether it is pushed or polled.
health-read-good = Read and flag changes reach the servers, and come from them, within seconds.
health-read-waiting = A read or flag change has waited { $seconds } s for its server (Pending changes shows why).
health-calendars-none = No calendar or task list to keep fresh.
health-calendars-never = A calendar has never synced: check its account's server and password.
health-calendars-age = The calendar synced longest ago synced { $seconds } s ago; Satu asks every 30 s while it runs.
health-offline-share = { $percent } % of messages have their body here.
health-offline-disk = { $percent } % of messages have their body here, and the disk is nearly full: free some space or keep fewer days offline (Settings).
health-backup-off = Backups are not set up.
