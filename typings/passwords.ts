/**
 * The admin accounts' password policy, shared by the admin function (schemas), the local cloud's
 * first start, deploy and the admin page (which shows the same rules): at least
 * `PASSWORD_MIN_LENGTH` characters, not one of the passwords attackers try first, not the username.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

/** The rules in one sentence, as the accounts form shows them. */
export const PASSWORD_RULES = `至少 ${PASSWORD_MIN_LENGTH} 个字符；不能是常见密码（如 password123、1234567890、qwertyuiop），也不能包含用户名`;

/** Words that make up most guessed passwords when followed or preceded by digits and symbols (`admin@2024`). */
const COMMON_WORDS = new Set(
  `password passwort passwd pass pwd admin administrator adminadmin root super superuser qwerty qwert qwer
  asdf asdfg asdfgh asdfghjkl zxcv zxcvb zxcvbn zxcvbnm qazwsx qweasd qweasdzxc asdasd qweqwe zaq zaqxsw
  iloveyou loveyou love lovely lover welcome letmein monkey dragon master shadow sunshine princess
  football baseball basketball soccer hockey superman batman spiderman trustno hello hellokitty abc abcd
  abcde abcdef abcdefg abcdefgh test tester testing guest user username login logon changeme secret
  default woaini woaiwojia wodemima mima aini iloveu leadpool wechat weixin qq taobao baidu alibaba
  tencent china beijing shanghai manager system server service michael jordan charlie computer internet
  google apple samsung huawei xiaomi pokemon starwars whatever freedom killer ninja mustang access
  flower jennifer hunter ranger buster thomas robert daniel jessica ashley naruto summer winter spring
  autumn cookie cheese chocolate pepper ginger orange banana purple silver golden diamond angel
  angela baby babygirl family forever friends happy lucky money monkey myspace peace qwertyuiop
  sample demo temp temporary company office business marketing sales private public`.split(/\s+/),
);

/** Passwords from the published top lists that are long enough to pass the length rule. */
const COMMON_PASSWORDS = new Set(
  `1234567890 0987654321 12345678910 123456789a a123456789 1234567890a a1234567890 123456789q
  q123456789 1234567890q 123456789z 123456789abc abc123456789 abcd123456 abcd1234567 abc1234567
  1234abcd1234 12345abcde abcde12345 12345qwert qwert12345 1234qwer1234 qwer1234qwer 1q2w3e4r5t
  1q2w3e4r5t6y 1q2w3e4r5t6y7u 1qaz2wsx3edc 1qaz2wsx3edc4rfv 1qazxsw23edc zaq12wsxcde3 !qaz2wsx
  !qaz@wsx#edc 1qaz@wsx3edc qazwsxedcrfv qazwsxedc123 qweasdzxc123 qwe123456789 asd123456789
  zxc123456789 qq123456789 qq1234567890 aa123456789 aa1234567890 a12345678910 zxcvbnm123 zxcvbnm1234
  qwertyuiop qwertyuiop1 qwertyuiop123 asdfghjkl1 asdfghjkl123 asdfghjkl; zxcvbnm,./
  poiuytrewq lkjhgfdsa1 mnbvcxz123 qwertyuiopasdfghjkl qwertyuiopasdfghjklzxcvbnm qwerty12345
  qwerty123456 qwerty1234567 qwertyqwerty qwerty123! asdfasdfasdf asdfqwerzxcv password12
  password123 password1234 password12345 password123! password2023 password2024 password2025
  password2026 passw0rd123 p@ssw0rd123 p@ssword123 p@55w0rd123 passwordpassword 123password
  admin12345 admin123456 admin1234567 admin888888 admin@1234 admin@12345 admin@123456 adminadmin
  administrator administrator1 root123456 root@12345 rootroot123 iloveyou12 iloveyou123 iloveyou1314
  iloveyou520 iloveyouforever iloveyoubaby woaini1314 woaini5201314 woaini520 woaini1314520
  woainimama woainibaobao woaiwojia123 wodemima123 mima123456 aini1314520 5201314520 1314520520
  5205201314 5201314521 1314521521 13145201314 52013145201314 13800138000 13888888888 13999999999
  18888888888 0000000000 00000000000 1111111111 11111111111 2222222222 3333333333 4444444444
  5555555555 6666666666 7777777777 8888888888 88888888888 9999999999 1212121212 1231231231
  1234512345 1234554321 1122334455 1111122222 1234567899 9876543210 0123456789 12345678900
  123123123123 123456123456 1472583690 1597534862 1qa2ws3ed4rf 123qweasdzxc
  qweasdzxc1234 123qwe123qwe 123qweasd123 qwe123qwe123 abc123abc123 abcabcabcabc aaaaaaaaaa
  aaaaaa123456 a1b2c3d4e5 a1b2c3d4e5f6 1a2b3c4d5e abcdefghij abcdefghijk abcdefghijkl
  letmein123 letmein1234 welcome123 welcome1234 welcome2024 welcome2025 welcome2026 changeme123
  changeme1234 sunshine123 princess123 football123 baseball123 superman123 batman1234 dragon1234
  monkey12345 master12345 shadow12345 trustno1234 whatever123 starwars123 pokemon1234 computer123
  internet123 michael123 jordan2323 charlie123 jennifer123 hellokitty hellokitty1 helloworld
  helloworld1 helloworld123 hello123456 hello12345 test123456 test1234567 testtest123 testing123
  guest12345 user123456 user12345678 login12345 default123 secret1234 secret12345 loveyou1314
  lovelove123 beautiful1 basketball basketball1 football1 1qaz2wsx! 1q2w3e4r!q 1q2w3e4r5t!
  q1w2e3r4t5 q1w2e3r4t5y6 zaq1xsw2cde3 1234qwerasdf 1234qwerasdfzxcv qwer1234asdf asdf1234qwer
  trustno1trustno1 00000000001 999999999999 111111111111 123456654321 654321654321 112233445566
  11223344556677 qwe!@#123
  !@#$%^&*() !@#$%^&*()_+ 1!2@3#4$5% !q@w#e$r%t 1234567890- 1234567890-= ~!@#$%^&*()`.split(/\s+/),
);

/** Rows and columns people walk on a keyboard; a password inside one (either way) is a walk. */
const KEYBOARD_WALKS = [
  "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
  '~!@#$%^&*()_+',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/',
  'qazwsxedcrfvtgbyhnujmikolp',
  'zaqxswcdevfrbgtnhymjukilop',
  '1q2w3e4r5t6y7u8i9o0p',
  'q1w2e3r4t5y6u7i8o9p0',
  'abcdefghijklmnopqrstuvwxyz',
  '01234567890',
];

/** `p@ssw0rd` is `password` to an attacker's word list. */
const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '0': 'o',
  '1': 'i',
  '!': 'i',
  '3': 'e',
  $: 's',
  '5': 's',
  '7': 't',
};

const reversed = (text: string) => [...text].reverse().join('');

/** The same unit of 1–4 characters over and over (`aaaaaaaaaa`, `abcabcabca`, `1212121212`). */
function isRepetition(text: string): boolean {
  for (let unit = 1; unit <= 4 && unit * 2 <= text.length; unit += 1) {
    const head = text.slice(0, unit);
    if (head.repeat(Math.ceil(text.length / unit)).slice(0, text.length) === text) return true;
  }
  return false;
}

/** Each character one more (or one less) than the last: `abcdefghij`, `9876543210`. */
function isRun(text: string): boolean {
  const codes = [...text].map((c) => c.codePointAt(0) ?? 0);
  const step = codes[1] - codes[0];
  return Math.abs(step) === 1 && codes.every((code, i) => i === 0 || code - codes[i - 1] === step);
}

function isWalk(text: string): boolean {
  return KEYBOARD_WALKS.some((walk) => walk.includes(text) || reversed(walk).includes(text));
}

/** A common word with only digits and symbols around it (`admin@2024`, `P@ssw0rd!`, `woaini1314`). */
function isDecoratedWord(text: string): boolean {
  const core = text.replace(/^[^a-z@$!]+/, '').replace(/[^a-z]+$/, '');
  if (core.length === 0) return false;
  const plain = [...core].map((c) => LEET[c] ?? c).join('');
  return COMMON_WORDS.has(plain) || COMMON_WORDS.has(plain.replace(/[^a-z]/g, ''));
}

/** True for a password an attacker tries in the first few thousand guesses. */
export function isCommonPassword(password: string): boolean {
  const text = password.normalize('NFKC').toLowerCase();
  return (
    COMMON_PASSWORDS.has(text) || isRepetition(text) || isRun(text) || isWalk(text) || isDecoratedWord(text)
  );
}

/** Why a password is refused (a Chinese sentence naming the rule), or null when it is acceptable. */
export function passwordProblem(password: string, username?: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `密码至少 ${PASSWORD_MIN_LENGTH} 个字符`;
  if (length > PASSWORD_MAX_LENGTH) return `密码不能超过 ${PASSWORD_MAX_LENGTH} 个字符`;
  const name = username?.trim().toLowerCase() ?? '';
  if (name.length >= 3 && password.toLowerCase().includes(name)) return '密码不能包含用户名';
  if (isCommonPassword(password)) return '这个密码太常见，容易被猜中，请换一个';
  return null;
}
