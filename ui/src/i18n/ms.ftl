# Satu — rentetan Bahasa Melayu. Setiap id di sini mesti wujud juga dalam en.ftl.

app-name = Satu

## Bar sisi

sidebar-label = Paparan dan akaun
view-inbox = Peti masuk
view-all = Semua
view-unread = Belum dibaca
view-flagged = Ditanda
view-tasks = Tugasan
sidebar-accounts = Akaun
accounts-none = Belum ada akaun
account-local = Dalam komputer ini
account-in-timeline = Tunjuk dalam Semua
sidebar-folders = Folder { $account }
folder-inbox = Peti masuk
add-account = Tambah akaun

## Bar atas

search-label = Cari
search-placeholder = Cari e-mel, sembang, tugasan dan acara
search-clear = Kosongkan carian
language-label = Bahasa
language-en = English
language-ms = Bahasa Melayu
shortcuts-button = Pintasan
settings-button = Tetapan
settings-title = Tetapan
settings-notifications = Pemberitahuan
settings-dnd = Jangan ganggu (tiada pemberitahuan untuk mel baharu)
settings-offline = Mel yang disimpan di luar talian
settings-offline-hint = Mel yang lebih lama menyimpan subjek dan pengirimnya di sini; mesejnya dimuat turun apabila anda membukanya, dan dicari di pelayan.
settings-offline-all = Semua mel
settings-offline-days = { $days ->
    [365] Setahun terakhir
   *[other] { $days } hari terakhir
}
settings-offline-folders = Setiap folder
settings-offline-as-account = Seperti akaunnya
settings-offline-new-before = Akaun baharu menyimpan semua melnya di luar talian jika saiznya kurang daripada
settings-offline-new-middle = MB; yang lebih besar hanya menyimpan
settings-offline-new-after = hari terakhir
settings-account-notify = Beritahu mel baharu { $account }
settings-tasks = Tugasan
settings-task-from-flagged = Menanda mel menjadikannya tugasan
settings-unflag-on-done = Menyelesaikan tugasan membuang tanda melnya
settings-progress-from-replies = Balasan dalam perbualan tugasan memindahkannya ke Sedang dijalankan

## Garis masa

timeline-label = Garis masa
search-results = Hasil carian
timeline-loading = Memuatkan…
timeline-empty = Belum ada apa-apa di sini.
timeline-empty-unread = Semua sudah dibaca.
search-empty = Tiada yang sepadan dengan “{ $text }”.
search-index-pending = { $count ->
   *[other] { $count } mesej masih diindeks: sehingga itu, mesej tersebut hanya ditemui melalui subjek dan pengirimnya.
}
load-older = Muatkan item yang lebih lama
kind-mail = E-mel
kind-chat = Sembang
kind-task = Tugasan
kind-event = Acara
item-unread = Belum dibaca
item-flagged = Ditanda
item-answered = Telah dibalas
sender-none = Tiada pengirim
title-none = (tiada subjek)
time-now = sebentar tadi

## Anak tetingkap bacaan

pane-empty = Pilih satu item untuk membacanya.
pane-loading = Memuatkan…
pane-from = Daripada
pane-to = Kepada
pane-date = Tarikh
pane-attachments = Lampiran
attachment-open = Buka
settings-help = Bantuan
settings-app = Aplikasi
settings-start-at-login = Mulakan Satu apabila saya log masuk
settings-identities = Alamat dan tandatangan
identities-of = Alamat { $account }
identity-has-signature = dengan tandatangan
identity-edit = Sunting
identity-remove = Buang
identity-add = Tambah alamat
identity-address = Alamat
identity-name = Nama yang dilihat penerima
identity-signature = Tandatangan (di bawah mesej baharu, balasan dan kiriman semula)
identity-save = Simpan
settings-keep-running = Biarkan Satu berjalan di kawasan pemberitahuan apabila tetingkapnya ditutup (ia terus menyegerak dan memberitahu; buka semula dari ikon dulang atau dengan memulakan Satu)
diagnostics-copy = Salin diagnostik
diagnostics-copied = Disalin: versi, pelayan, tetapan dan baris log terakhir (tanpa kata laluan, token atau mesej).
diagnostics-by-hand = Papan keratan tidak tersedia; salin ini:
attachment-save = Simpan
attachment-save-all = Simpan kesemua { $count }
attachment-saved = Disimpan ke { $path }
attachments-saved = { $count } lampiran disimpan dalam { $folder }
pane-body-title = Kandungan mesej
pane-no-body = Item ini tiada teks.
remote-blocked = { $count ->
    [one] Satu menyekat satu imej jauh dalam mesej ini: memuatkannya boleh memberitahu pengirim bahawa anda telah membacanya.
   *[other] Satu menyekat { $count } imej jauh dalam mesej ini: memuatkannya boleh memberitahu pengirim bahawa anda telah membacanya.
}
remote-load = Muatkan untuk mesej ini
remote-always = Sentiasa untuk { $address }
link-warning-title = Semak ke mana pautan ini pergi
link-warning-punycode = Pautan ini pergi ke { $host }, nama yang ditulis dalam abjad lain yang boleh kelihatan seperti nama yang biasa. Buka hanya jika anda menjangkakannya.
link-warning-userinfo = Pautan ini menyembunyikan alamat sebenarnya: ia pergi ke { $host }, walau apa pun yang ditunjukkan dahulu.
link-open-anyway = Buka { $host }
link-cancel = Jangan buka
link-refused = Satu tidak mengikuti pautan { $scheme }: ia boleh menjalankan kod atau membuka fail.
pane-folder = Folder
pane-task = Tugasan
pane-open-task = Buka tugasan
pane-status = Status
pane-due = Tarikh akhir
pane-from-mail = Dibuat daripada
pane-sender-check = Pengirim
sender-unchecked = Belum disemak
sender-verified = Disahkan
sender-unverified = Tidak disahkan
sender-failed = Gagal semakan
sender-verified-means = Domain dalam Daripada sendiri menandatangani atau menghantar mel ini: ia datang daripada siapa yang dinyatakan.
sender-unverified-means = Tiada apa yang membuktikan siapa yang menghantar mel ini: domainnya tidak menerbitkan dasar dan tidak menandatanganinya. Berhati-hati dengan permintaan wang atau kata laluan.
sender-failed-means = Mel ini gagal semakan pengirimnya sendiri: ia mungkin dipalsukan. Jangan percaya pautan atau permintaannya.
sender-unchecked-means = Satu menyemak pengirim apabila mel tiba atau dibuka.
sender-checked-here = Disemak oleh Satu pada { $time }.
sender-checked-provider = Disemak oleh pembekal mel anda semasa ia tiba; dibaca pada { $time }.
trust-guard = Mel ini mendakwa datang daripada { $domain }, tetapi { $domain } menyatakan mel daripadanya ditandatangani atau dihantar oleh pelayannya sendiri, dan mel ini bukan kedua-duanya. Pautan dan imej dimatikan.
trust-insist = Tunjukkan pautan dan imej juga
trust-warning-lookalike = Alamat yang menyerupai
trust-warning-mixed-script = Abjad bercampur
trust-warning-display-name = Nama kenalan pada alamat lain
trust-warning-reply-to = Balasan pergi ke tempat lain
pane-open-mail = Buka mel
task-status-open = Belum selesai
task-status-done = Selesai
task-status-in-process = Sedang dijalankan
task-status-cancelled = Dibatalkan
task-activity = Aktiviti
# Balasan dalam perbualan tugasan menukar statusnya; $status: cth. "Sedang dijalankan".
task-activity-moved = memindahkan tugasan ke { $status }
pane-priority = Keutamaan
task-priority-high = Tinggi
task-priority-medium = Sederhana
task-priority-low = Rendah
# Petua keutamaan tugasan: nombornya pada skala iCalendar.
task-priority-number = Keutamaan { $priority } (1 paling tinggi, 9 paling rendah)
# Tanda tugasan berkeutamaan tinggi dalam garis masa.
item-high-priority = Keutamaan tinggi
pane-progress = Kemajuan
task-percent = { $percent } % selesai
pane-task-parent = Subtugasan
task-part-of = Sebahagian daripada tugasan lain
task-rename = Tukar nama
task-title-label = Tajuk tugasan
task-title-save = Simpan
task-title-empty = Beri tugasan ini tajuk.
task-delete = Padam tugasan
task-delete-confirm = Padam tugasan ini?
task-delete-yes = Padam
task-delete-keep = Kekalkan
# $reason: sebabnya, daripada teras (dalam bahasa Inggeris).
pane-quarantined = Sebahagian mesej ini tidak dapat dibaca: { $reason }
pane-remote-downloading = Hanya pengepala mesej ini ada di sini: memuat turun mesej daripada pelayan…
pane-remote-failed = Mesej ini berada di pelayan dan tidak dapat dimuat turun: { $reason }
pane-remote-bytes = { $done } daripada { $total }
pane-remote-retry = Cuba lagi
search-server = Di pelayan
search-server-failed = Pelayan tidak dapat dicari: { $reason }

## Tindakan e-mel

actions-label = Tindakan
action-mark-read = Tanda sudah dibaca
action-mark-unread = Tanda belum dibaca
action-flag = Benderakan
action-unflag = Buang bendera
action-archive = Arkib
action-delete = Padam
action-move = Pindah ke…
action-snooze = Tunda…
pane-list = Senarai mel
unsubscribe = Berhenti langgan
unsubscribe-one-click = Tinggalkan senarai ini dengan satu klik (tandatangan pengirim telah disemak)
unsubscribe-by-mail = Tinggalkan senarai ini dengan menghantar mesej kepadanya
unsubscribe-on-web = Buka halaman senarai untuk meninggalkannya
unsubscribed = Berhenti langgan: senarai telah dimaklumkan.
unsubscribe-queued = Mesej berhenti langgan berada dalam peti keluar.
unsubscribe-page = Halaman senarai dibuka dalam pelayar anda: tinggalkan senarai di sana.
action-print = Cetak
print-from = Daripada
print-to = Kepada
print-date = Tarikh
print-opened = Mesej dibuka dalam pelayar anda untuk dicetak.
shortcut-print = Cetak mesej yang dibuka
quote-header = Pada { $date }, { $name } menulis:
sender-unknown = seseorang
snooze-title = Tunda sehingga
snooze-later = Lewat hari ini
snooze-tomorrow = Esok
snooze-next-week = Minggu depan
snooze-pick = Atau pilih tarikh dan masa
snooze-submit = Tunda
snoozed = Ditunda sehingga { $time }: ia kembali ke atas Peti masuk, belum dibaca.
snoozed-until = Ditunda sehingga { $time }
unsnooze = Kembali ke Peti masuk sekarang
view-snoozed = Ditunda
shortcut-snooze = Tunda perbualan
action-make-task = Jadikan tugasan
action-show-task = Tunjuk tugasan
action-done = Tanda selesai
action-reopen = Buka semula
task-made = Tugasan dibuat: { $title }
task-exists = Mel ini sudah ada tugasan: { $title }
move-title = Pindah ke folder
move-folder = Nama folder
move-submit = Pindah
# Petua butang: labelnya dan pintasan papan kekuncinya.
action-tooltip = { $label } ({ $key })
offline-saved = Disimpan di sini; perubahan akan sampai ke pelayan apabila pelayan dalam talian semula.

## Perubahan belum dihantar

pending-count =
    { $count ->
        [1] Satu perubahan menunggu pelayan
       *[other] { $count } perubahan menunggu pelayan
    }
pending-title = Perubahan belum dihantar
pending-intro = Perubahan ini disimpan dalam komputer ini dan akan dihantar apabila pelayan dapat dihubungi.
pending-none = Tiada apa-apa yang menunggu pelayan.
op-set-flags = Status dibaca atau bendera
op-move = Pindah ke folder lain
op-expunge = Padam terus
op-pending = Menunggu
op-wedged = Terhenti
op-attempts =
    { $attempts ->
        [0] belum dicuba
        [1] satu percubaan gagal
       *[other] { $attempts } percubaan gagal
    }
op-next = percubaan seterusnya { $time }
op-retry = Cuba lagi

## Kali pertama

welcome-title = Selamat datang ke Satu
welcome-text = E-mel, sembang, tugasan dan acara anda dalam satu garis masa. Lihat-lihat dalam peti mel contoh, atau tambah akaun e-mel anda sendiri.
open-sample = Buka peti mel contoh
sample-opening = Membuka peti mel contoh…
sample-opened =
    { $imported ->
        [0] Peti mel contoh sudah dibuka.
       *[other] { $imported } mesej diimport daripada peti mel contoh.
    }

## Borang akaun

account-form-title = Tambah akaun e-mel
field-email = Alamat e-mel
field-name = Nama paparan
field-optional = Pilihan
field-imap = Pelayan IMAP (hos:port)
field-smtp = Pelayan SMTP (hos:port)
field-security = Keselamatan
security-tls = TLS (disyorkan)
security-starttls = STARTTLS
security-plain = Tiada (hanya untuk komputer ini)
field-username = Nama pengguna
field-username-hint = Pilihan; lalainya alamat e-mel
field-password = Kata laluan
field-ca-file = Fail sijil CA
field-ca-file-hint = Pilihan; laluan ke fail PEM
form-submit = Tambah akaun
form-busy = Menyemak log masuk…
form-busy-finding = Mencari pelayan…
account-form-intro = Alamat dan kata laluan anda sudah memadai: Satu mencari pelayannya (fail tetapan domain, senarai penyedia Thunderbird, DNS). Atau masukkan sendiri.
field-server-found = Ditemui daripada alamat
discover-button = Cari pelayan
signin-oauth = { $provider ->
    [none] Log masuk dengan penyedia
   *[other] Log masuk dengan { $provider }
}
signin-oauth-only = { $provider } tidak menerima kata laluan untuk mel: log masuk melaluinya.
signin-busy = Menunggu log masuk…
signin-waiting = Selesaikan log masuk dalam tetingkap pelayar yang dibuka; Satu menunggu di sini.
signin-by-hand = Jika tiada pelayar dibuka, buka alamat ini sendiri:
signin-again = Log masuk semula
compose-link-busy = Selesaikan mesej yang sedang ditulis dahulu, kemudian buka pautan mel itu semula.
signin-again-done = { $account } telah log masuk semula.
field-issuer-summary = Organisasi anda yang melog masuk anda (mel dihos sendiri)
field-issuer = Alamat log masuk (penerbit OpenID Connect)
discover-busy = Mencari…
discover-found = Ditemui dalam { $source }.
discover-source-autoconfig = fail tetapan domain
discover-source-ispdb = senarai penyedia Thunderbird
discover-source-srv = rekod DNS domain
discover-source-autodiscover = Autodiscover Microsoft
discover-source-guess = nama pelayan biasa (dicuba)
discover-source-well-known = alamat well-known domain
discover-caldav = Segerakkan juga kalendar dan tugasan ({ $url })
discover-caldav-failed = Akaun e-mel telah ditambah, tetapi bukan kalendarnya: { $reason }
cancel = Batal

## Pintasan

shortcuts-title = Pintasan papan kekunci
shortcut-next = Item seterusnya
shortcut-previous = Item sebelumnya
shortcut-open = Buka item yang dipilih
shortcut-search = Cari
shortcut-toggle-read = Tanda sudah atau belum dibaca
shortcut-toggle-flag = Benderakan atau buang bendera
shortcut-archive = Arkib
shortcut-delete = Padam
shortcut-move = Pindah ke folder
shortcut-make-task = Jadikan mel tugasan (pada tugasan: selesai / buka semula)
shortcut-help = Tunjuk atau sembunyikan senarai ini
shortcut-escape = Tutup tetingkap atau kosongkan carian
close = Tutup
dismiss = Tutup mesej

## Status penyegerakan

account-status-connecting = Menyambung…
account-status-syncing = Menyegerakkan…
account-status-idle = Bersambung · serta-merta
account-status-poll = Bersambung · semak setiap minit
account-status-offline = Luar talian
account-status-stopped = Dihentikan
account-status-connecting-detail = Sedang menyambung ke pelayan mel.
account-status-syncing-detail = Sedang mengambil mel baharu daripada pelayan.
account-status-syncing-progress = Mengambil { $folder }: { $done } daripada { $total }.
account-status-idle-detail = Mel baharu muncul sebaik sahaja pelayan menerimanya.
account-status-poll-detail = Pelayan ini tidak memaklumkan mel baharu, jadi Satu menyemaknya setiap minit.
account-status-offline-detail = Pelayan tidak dapat dihubungi.
account-status-stopped-detail = Penyegerakan telah berhenti.
sync-retry-at = Cuba lagi pada { $time }.
sync-reconnecting = Cuba menyambung semula…
sync-progress-label = Kemajuan penyegerakan
sync-progress = Menyegerakkan { $folder } — { $done } daripada { $total }
sync-progress-more =
    { $count ->
        [1] dan satu akaun lagi
       *[other] dan { $count } akaun lagi
    }
account-unknown = Akaun { $id }
offline-account = Luar talian: { $account } — { $error }.
offline-account-no-error = Luar talian: { $account }.
offline-kept = Perubahan anda disimpan dan akan dihantar kemudian.
sync-paused = Penyegerakan dijeda: tiada apa diambil atau dihantar. Perubahan anda disimpan dan dihantar apabila ia disambung semula.
sync-resume = Sambung penyegerakan
tray-open = Buka Satu
tray-compose = Mesej baharu
tray-pause = Jeda penyegerakan
tray-resume = Sambung penyegerakan
tray-quit = Keluar dari Satu
tray-unread = Satu: { $unread } belum dibaca
# Untuk pembaca skrin, sekali apabila akaun terputus (butirannya dalam sepanduk).
offline-announce = Luar talian: { $accounts }. Perubahan anda disimpan dan akan dihantar kemudian.
offline-over = Bersambung semula.

## Ralat (tajuk; butirannya daripada teras)

error-auth-failed = Log masuk gagal.
error-unreachable = Pelayan tidak dapat dihubungi.
error-bad-certificate = Sijil pelayan tidak dipercayai.
error-tls = Sambungan selamat gagal.
error-invalid-input = Sila semak maklumat yang dimasukkan.
error-not-found = Item itu sudah tiada.
error-keyring = Simpanan kata laluan sistem (keyring) tidak dapat digunakan.
error-sign-in-again = Log masuk semula
error-wrong-passphrase = Frasa laluan salah
error-damaged = Fail rosak
error-too-new = Dibuat oleh Satu yang lebih baharu
error-server = Pelayan menolak permintaan itu.
error-internal = Sesuatu tidak kena.

thread-size = { $count ->
    [one] Satu mesej
   *[other] { $count } mesej
}
conversation-label = { $count ->
    [one] Perbualan satu mesej
   *[other] Perbualan { $count } mesej
}
pane-conversation = Perbualan
threads-button = Perbualan
threads-button-title = Satu baris bagi setiap perbualan (mesej terbarunya)
settings-timeline = Garis masa
settings-threads = Kumpulkan mesej mengikut perbualan
task-due-clear = Tiada tarikh akhir
task-due-none = Tiada

action-reply = Balas
action-reply-all = Balas semua
action-forward = Majukan
shortcut-compose = Tulis mesej baharu
shortcut-reply = Balas
shortcut-reply-all = Balas kepada semua
shortcut-forward = Majukan
shortcut-send = Hantar (dalam tetingkap karang)
compose-button = Tulis
compose-new = Mesej baharu
compose-reply = Balas
compose-forward = Majukan
compose-from = Daripada
compose-to = Kepada
compose-cc = Sk
compose-bcc = Sk tersembunyi
compose-add-cc = Tambah Sk dan Sk tersembunyi
compose-subject = Subjek
compose-body = Mesej
compose-later = Hantar kemudian
compose-discard = Buang
compose-send = Hantar
compose-send-later = Hantar kemudian
compose-sending = Menghantar…
compose-no-account = Tambah akaun mel untuk menghantar mesej.
send-queued = { $seconds ->
    [one] Menghantar dalam satu saat.
   *[other] Menghantar dalam { $seconds } saat.
}
send-undo = Batal
send-undone = Tidak dihantar: mesej kembali ke tetingkap karang.
send-sent = Mesej dihantar.
send-later-queued = Mesej akan dihantar pada { $time }.
send-offline = Disimpan dalam peti keluar: ia dihantar apabila pelayan boleh dicapai.
outbox-button = Peti keluar
outbox-title = Peti keluar
outbox-empty = Tiada apa-apa menunggu untuk dihantar.
outbox-state-queued = Menunggu
outbox-state-sending = Menghantar
outbox-state-sent = Dihantar
outbox-state-failed = Tidak dihantar
outbox-state-cancelled = Ditarik balik
outbox-retry = Cuba lagi
outbox-resend = Hantar semula juga
outbox-cancel = Tarik balik
outbox-at = Dihantar pada { $time }
settings-backups = Sandaran
backup-hint = Sandaran menyimpan semua e-mel, sembang, tugasan, acara dan tetapan anda, disulitkan dengan frasa laluan anda. Kata laluan tidak termasuk: anda memasukkannya semula selepas pemulihan.
backup-every = Buat sandaran
backup-every-off = Tidak secara automatik
backup-every-hours = Setiap { $hours } jam
backup-every-day = Setiap hari
backup-every-week = Setiap minggu
backup-dir = Ke dalam folder
backup-keep = Simpan yang terbaharu
backup-keep-invalid = Simpan antara 1 hingga 1,000 sandaran.
backup-passphrase = Frasa laluan
backup-passphrase-hint = Sekurang-kurangnya 8 aksara. Anda memerlukannya untuk memulihkan: catatkannya di tempat yang selamat.
backup-passphrase-kept = Disimpan dalam gugusan kunci sistem; taip yang baharu untuk menukarnya.
backup-save = Simpan jadual
backup-saved = Disimpan.
backup-now = Buat sandaran sekarang
backup-now-busy = Membuat sandaran…
backup-made = Ditulis ke { $path } ({ $size }) dan disemak.
backup-size = { $mb } MB
backup-state-verified = disemak
backup-state-written = ditulis
backup-state-gone = dipadam
backup-state-failed = gagal: { $error }
backup-none = Belum ada sandaran.
settings-rules = Peraturan
rules-hint = Peraturan bertindak ke atas mel baharu apabila ia tiba, setiap mel sekali, mengikut susunan yang disenaraikan. Tulis syarat dan tindakannya dalam perkataan, seperti yang diterima oleh `satu rule add`.
rules-none = Belum ada peraturan.
rules-runs = { $count ->
    [one] bertindak ke atas satu mel
   *[other] bertindak ke atas { $count } mel
}
rules-on = Hidup
rules-remove = Buang
rules-name = Nama
rules-when = Apabila (from:, to:, subject:, has:attachment, sender:failed, …)
rules-then = Lakukan (satu setiap baris: read, flag, archive, delete, move:FOLDER, task due:+2d, stop)
rules-count = Akan sepadan dengan { $count } daripada { $of } mel terakhir
rules-add = Tambah peraturan
settings-domain = Domain mel anda
domain-hint = Semak domain syarikat anda seperti yang dilihat oleh pengirim dan penerima: ke mana melnya pergi, siapa yang boleh menghantar atas namanya (SPF, DKIM, DMARC), dan rekod yang perlu diterbitkan. Ujian penghantaran menghantar mel kepada diri anda dan menunjukkan bagaimana pelayan penerima menilainya.
domain-name = Domain
domain-selectors = Pemilih DKIM (pilihan)
domain-check = Semak
domain-checking = Menyemak…
domain-checking-long = Bertanya kepada DNS dan pelayan mel domain; ini boleh mengambil masa sehingga seminit.
domain-good = semuanya baik
domain-info = baik, dengan cadangan
domain-warning = perlu perhatian
domain-bad = rosak
domain-copy = Salin
domain-copied = Disalin
domain-test-account = Hantar ujian daripada
domain-test = Jalankan ujian penghantaran
domain-testing = Menunggu mel ujian…
domain-test-result = Dihantar dalam { $seconds } s. SPF: { $spf }, DKIM: { $dkim }, DMARC: { $dmarc }.
settings-audit = Jejak audit
audit-hint = Setiap perubahan dan pendedahan data anda — di sini, dari baris perintah, atau pada peranti lain — dengan siapa yang melakukannya dan bila. Setiap entri dirantai kepada entri sebelumnya, jadi sebarang perubahan pada rekod akan kelihatan.
audit-filters = Tapis jejak audit
audit-from = Dari
audit-to = Hingga
audit-account = Akaun
audit-kind = Jenis
audit-all = Semua
audit-kind-mail = E-mel
audit-kind-task = Tugasan
audit-kind-event = Acara
audit-kind-chat = Sembang
audit-kind-account = Akaun
audit-kind-setting = Tetapan
audit-kind-export = Eksport
audit-kind-attachment = Lampiran
audit-kind-backup = Sandaran
audit-kind-audit = Jejak audit itu sendiri
audit-origin-window = dalam tetingkap
audit-origin-cli = baris perintah
audit-origin-server = dari pelayan
audit-origin-schedule = berjadual
audit-none = Tiada entri.
audit-when = Bila
audit-what = Apa
audit-who = Siapa
audit-detail = Butiran
audit-more = { $shown } entri terbaharu ditunjukkan; eksport mengandungi semuanya.
audit-verify = Semak rekod
audit-export-csv = Eksport sebagai CSV
audit-export-jsonl = Eksport sebagai baris JSON
audit-intact = Rekod utuh: { $entries } entri, setiap satu menyusul yang sebelumnya.
audit-broken-at = Rekod telah diubah pada entri { $id }: { $reason }
audit-broken = Rekod telah diubah: { $reason }
audit-exported = Ditulis ke { $path }.
password-again = Masukkan kata laluan
password-title = Kata laluan untuk { $account }
password-hint = Satu tiada kata laluan untuk { $user } (dipulihkan daripada sandaran tanpa kata laluan, atau gugusan kunci sistem telah ditetapkan semula). Ia disemak dengan pelayan, kemudian disimpan dalam gugusan kunci.
password-label = Kata laluan
password-empty = Masukkan kata laluan.
password-cancel = Batal
password-save = Log masuk
password-checking = Menyemak…
settings-sending = Menghantar
settings-undo-before = Tunggu
settings-undo-after = saat sebelum mesej dihantar, supaya ia boleh ditarik balik (Batal)
compose-attach = Lampirkan fail
compose-remove-recipient = Buang { $recipient }
compose-drop-here = Lepaskan fail untuk melampirkannya
compose-pasted-name = ditampal
compose-attachments = Lampiran
compose-remove-file = Buang { $name }
outbox-edit = Sunting
task-keep-here = Kekalkan versi ini
task-keep-server = Kekalkan versi pelayan

## Calendar: recurrence and alarms in words

repeat-daily = { $interval ->
    [one] Setiap hari
   *[other] Setiap { $interval } hari
}
repeat-weekly = { $interval ->
    [one] Setiap minggu
   *[other] Setiap { $interval } minggu
}
repeat-weekly-on = { $interval ->
    [one] Setiap minggu pada { $days }
   *[other] Setiap { $interval } minggu pada { $days }
}
repeat-monthly = { $interval ->
    [one] Setiap bulan
   *[other] Setiap { $interval } bulan
}
repeat-yearly = { $interval ->
    [one] Setiap tahun
   *[other] Setiap { $interval } tahun
}
repeat-count = { $count ->
    [one] { $rule }, sekali
   *[other] { $rule }, { $count } kali
}
repeat-until = { $rule }, hingga { $date }
alarm-at-start = Pada permulaan
alarm-before = { $amount } sebelum
alarm-after = { $amount } selepas permulaan
duration-minutes = { $count ->
    [one] 1 minit
   *[other] { $count } minit
}
duration-hours = { $count ->
    [one] 1 jam
   *[other] { $count } jam
}
duration-days = { $count ->
    [one] 1 hari
   *[other] { $count } hari
}

## Calendar view

view-calendar = Kalendar
calendar-label = Kalendar
calendar-toolbar = Kalendar
calendar-today = Hari ini
calendar-previous = Sebelumnya
calendar-next = Seterusnya
calendar-modes = Paparan
calendar-day = Hari
calendar-week = Minggu
calendar-month = Bulan
calendar-new = Acara baharu
calendar-more = { $count ->
    [one] +1 lagi
   *[other] +{ $count } lagi
}
calendar-none = Belum ada kalendar: tambah akaun CalDAV untuk melihat dan membuat acara.
event-all-day = Sepanjang hari
event-title-none = (tiada tajuk)
event-pending = Belum disegerakkan
event-sync-error = Bercanggah dengan pelayan: pilih satu versi
event-detail-label = Acara

## Event detail

event-when = Bila
event-repeats = Berulang
event-repeat-custom = Mengikut peraturan { $rule }
event-own-zone = { $start } – { $end } di { $zone }
event-where = Di mana
event-calendar = Kalendar
event-status = Status
event-status-tentative = Tentatif
event-status-cancelled = Dibatalkan
event-organizer = Penganjur
event-attendees = Tetamu
event-alarms = Peringatan
event-sync = Penyegerakan
partstat-accepted = Terima
partstat-tentative = Mungkin
partstat-declined = Tolak
partstat-delegated = Diwakilkan
partstat-needs-action = Belum menjawab
event-edit = Sunting
event-delete = Padam
event-delete-confirm = Padam acara ini?
event-delete-series-confirm = Padam acara ini dan semua ulangannya?

## Event editor

event-editor-new = Acara baharu
event-editor-edit = Sunting acara
event-editor-series = Acara ini berulang: perubahan berlaku pada setiap kali.
event-editor-hint = Ctrl+Enter menyimpan, Esc membatalkan
event-field-title = Tajuk
event-field-calendar = Kalendar
event-field-all-day = Sepanjang hari
event-field-start = Mula
event-field-start-time = Masa mula
event-field-end = Tamat
event-field-end-time = Masa tamat
event-field-last-day = Hari terakhir
event-field-zone = Zon waktu
event-zone-local = { $zone } (komputer ini)
event-field-repeat = Ulang
event-repeat-none = Tidak berulang
event-repeat-daily = Setiap hari
event-repeat-weekly = Setiap minggu
event-repeat-monthly = Setiap bulan
event-repeat-yearly = Setiap tahun
event-field-location = Lokasi
event-field-description = Keterangan
event-save = Simpan
event-saving = Menyimpan…
event-error-title = Berikan tajuk kepada acara.
event-error-calendar = Pilih kalendar.
event-error-date = Masukkan tarikh.
event-error-time = Masukkan tarikh dan masa.
event-error-end-before-start = Acara tamat sebelum ia bermula.

## CalDAV accounts and task lists

caldav-add = Tambah akaun CalDAV
caldav-form-title = Tambah akaun CalDAV
caldav-form-intro = Kalendar dan senarai tugasan daripada pelayan CalDAV (Nextcloud, Radicale, Fastmail, …). Satu mencarinya bermula daripada alamat yang anda berikan.
caldav-field-url = Alamat pelayan
caldav-field-name-hint = Pilihan; pengguna@pelayan secara lalai
caldav-submit = Tambah akaun
caldav-busy = Mencari kalendar dan senarai tugasan…
caldav-busy-short = Mencari…
caldav-added = { $count ->
    [0] Akaun CalDAV ditambah; ia belum ada kalendar.
    [one] Akaun CalDAV ditambah dengan satu kalendar.
   *[other] Akaun CalDAV ditambah dengan { $count } kalendar.
}
settings-calendars = Kalendar dan senarai tugasan
settings-calendars-none = Belum ada akaun CalDAV.
settings-tasks-go-here = Tugasan daripada mel disimpan di sini
settings-tasks-go-here-one = Tugasan daripada mel disimpan dalam satu senarai tugasan sahaja, tidak kira dalam akaun mana.
calendar-holds-events = Acara
calendar-holds-tasks = Tugasan
calendar-holds-both = Acara dan tugasan

## Invitations

invitation-label = Jemputan
invitation-answer = Jawapan anda
invitation-accept = Terima
invitation-tentative = Tentatif
invitation-decline = Tolak
invitation-sending = Menghantar…
invitation-answered-accepted = Anda telah menerima.
invitation-answered-tentative = Anda menjawab mungkin.
invitation-answered-declined = Anda telah menolak.
invitation-cancelled = Penganjur telah membatalkan acara ini.
invitation-open-event = Tunjukkan dalam kalendar

## Shortcuts: views and the calendar

shortcut-go-inbox = Pergi ke Peti masuk
shortcut-go-all = Pergi ke Semua
shortcut-go-views = Pergi ke Belum dibaca, Ditanda, Tugasan
shortcut-go-calendar = Pergi ke Kalendar
shortcuts-calendar = Dalam Kalendar
shortcut-calendar-modes = Hari, minggu, bulan
shortcut-calendar-today = Hari ini
shortcut-calendar-next = Hari, minggu atau bulan seterusnya
shortcut-calendar-previous = Hari, minggu atau bulan sebelumnya
shortcut-calendar-new = Acara baharu
shortcut-calendar-save = Simpan (dalam penyunting acara)

## Sembang (Matrix)

view-chats = Sembang
sidebar-rooms = Bilik { $account }
room-invited = Dijemput
room-muted = Disenyapkan
timeline-empty-chats = Belum ada sembang.
timeline-empty-room = Belum ada mesej dalam bilik ini.
chat-queued = Menghantar…
chat-failed = Tidak dihantar
# $error: sebabnya, daripada teras (dalam bahasa Inggeris).
chat-failed-because = Tidak dihantar: { $error }
chat-retry = Cuba lagi
chat-edited = disunting
chat-redacted = Mesej dipadam
chat-encrypted = Mesej disulitkan — Satu belum dapat membacanya
chat-room-encrypted = Bilik ini disulitkan hujung ke hujung: Satu belum dapat membaca mesejnya.
chat-conversation-label = Mesej { $room }
chat-show-earlier = { $count ->
    [one] Tunjuk satu mesej sebelumnya
   *[other] Tunjuk { $count } mesej sebelumnya
}
chat-load-older = Muatkan mesej lama
chat-loading-older = Memuatkan mesej lama…
chat-history-none = Tiada mesej yang lebih lama.
chat-reply = Balas
chat-reply-to-older = Membalas mesej yang lebih lama
chat-replying-to = Membalas { $sender }: { $snippet }
chat-reply-cancel = Batal balasan
chat-reply-label = Mesej kepada { $room }
chat-reply-placeholder = Tulis mesej (Enter untuk hantar, Shift+Enter untuk baris baharu)
chat-send = Hantar
chat-sending = Menghantar…
chat-invited = Anda dijemput ke { $room }.
chat-join = Sertai
chat-joining = Menyertai…
chat-joined = Anda telah menyertai { $room }.
chat-left = Anda tidak lagi berada dalam bilik ini.
pane-topic = Topik
pane-open-chat = Buka mesej
account-status-longpoll = Bersambung · langsung
account-status-longpoll-detail = Mesej baharu muncul sebaik sahaja pelayan rumah menerimanya.
settings-room-notify = Beritahu mesej baharu dalam { $room }
settings-chat = Sembang
settings-chat-none = Belum ada akaun sembang.
matrix-add = Tambah akaun sembang (Matrix)
matrix-form-title = Tambah akaun sembang (Matrix)
matrix-form-intro = Sembang daripada pelayan rumah Matrix (matrix.org, Element, Synapse, …). Satu log masuk sekali dan hanya menyimpan token akses, bukan kata laluan.
matrix-field-homeserver = Pelayan rumah
matrix-field-user = Nama pengguna
matrix-field-user-hint = alice atau @alice:example.org
matrix-field-password-hint = Digunakan sekali untuk log masuk.
matrix-field-token = Token akses
matrix-field-token-hint = Pilihan; sebagai ganti kata laluan
matrix-field-name-hint = Pilihan; id pengguna secara lalai
matrix-submit = Tambah akaun
matrix-busy = Log masuk ke pelayan rumah…
matrix-busy-short = Log masuk…
matrix-added = { $count ->
    [0] Akaun sembang ditambah; belum ada bilik.
    [one] Akaun sembang ditambah dengan satu bilik.
   *[other] Akaun sembang ditambah dengan { $count } bilik.
}
shortcut-go-chats = Pergi ke Sembang
shortcuts-chat = Dalam sembang
shortcut-chat-reply = Tulis dalam kotak balasan
shortcut-chat-send = Hantar mesej
shortcut-chat-newline = Baris baharu
shortcut-chat-leave = Keluar dari kotak balasan
shortcut-chat-task = Jadikan mesej itu tugasan

health-button = Kesihatan
health-title = Kesihatan penyegerakan
health-delivery = Kelewatan penghantaran mel
health-read = Status baca disegerakkan
health-calendars = Kalendar dikemas kini
health-offline = Data terkini di luar talian
health-backup = Sandaran
health-good = Baik
health-warning = Amaran
health-bad = Perlu perhatian
health-off = Tidak diukur
health-seconds = { $seconds } s
health-percent = { $percent } %
health-chart-delay = Kelewatan penghantaran (persentil ke-95 setiap bar; garisan ialah 3 s)
health-chart-errors = Cubaan penyegerakan dan ralat
health-hour-attempts = { $attempts } cubaan, { $errors } gagal
health-account = Akaun
health-logins = Log masuk yang berjaya
health-errors = Penyegerakan yang gagal
health-week = 7 hari: { $value }
health-failure = { $class ->
    [password] Kata laluan: { $count }
    [network] Rangkaian: { $count }
    [tls] Sijil atau TLS: { $count }
    [refused] Ditolak oleh pelayan: { $count }
    [throttled] Dihadkan: { $count }
   *[other] Lain-lain: { $count }
}
health-close = Tutup
health-diagnostics = Diagnostik
health-diagnose = Jalankan diagnostik
health-diagnose-again = Jalankan semula
health-diagnosing = Menyemak pelayan…
health-diagnosed-by-themselves = Dijalankan sendiri untuk { $account } ({ $time }) apabila e-melnya tiba lewat:
health-fix = Apa yang perlu dilakukan: { $fix }
health-coverage = Mel yang disimpan dengan pengepalanya sahaja
health-coverage-folder = { $local } daripada { $messages } mesej mempunyai kandungannya di sini
health-range = Tempoh
health-range-day = 24 jam terakhir
health-range-week = 7 hari terakhir
health-delays = Kelewatan penghantaran (median / 95 %)
health-push = tolak: { $delay }
health-delivery-none = Tiada mel baharu tiba semasa Satu berjalan dalam 24 jam terakhir: belum ada apa-apa untuk diukur.
health-delivery-cut-off = Tiada mel tiba sekarang: satu akaun tidak dapat mencapai pelayannya. Satu akan mencuba lagi sendiri; diagnostik di bawah menerangkan sebabnya.
health-delivery-within = Mel baharu tiba di sini dalam { $seconds } s (95 % daripadanya, 24 jam terakhir).
health-delivery-slow = Mel baharu mengambil masa sehingga { $seconds } s untuk tiba (95 % daripadanya, 24 jam terakhir): diagnostik di bawah menerangkan sama ada ia ditolak atau ditinjau.
health-read-good = Perubahan baca dan tanda sampai ke pelayan, dan datang daripadanya, dalam beberapa saat.
health-read-waiting = Satu perubahan baca atau tanda telah menunggu { $seconds } s untuk pelayannya (Perubahan tertunda menerangkan sebabnya).
health-calendars-none = Tiada kalendar atau senarai tugasan untuk dikemas kini.
health-calendars-never = Satu kalendar belum pernah disegerakkan: semak pelayan dan kata laluan akaunnya.
health-calendars-age = Kalendar yang paling lama tidak disegerakkan kali terakhir disegerakkan { $seconds } s yang lalu; Satu menyemak setiap 30 s semasa ia berjalan.
health-offline-share = { $percent } % mesej mempunyai kandungannya di sini.
health-offline-disk = { $percent } % mesej mempunyai kandungannya di sini, dan cakera hampir penuh: kosongkan ruang atau simpan lebih sedikit hari di luar talian (Tetapan).
health-backup-off = Sandaran belum disediakan.
