import { encrypt, getSignature } from '@wecom/crypto';
import {
  contactWayState,
  corpTagNames,
  isOwnState,
  isReconcileMinute,
  tagChanges,
} from '../../cloudfunctions/core/wecomContact';
import { openMessage, signatureMatches } from '../../cloudfunctions/core/wecomCrypto';
import { contactEventOf, parseFlatXml } from '../../cloudfunctions/core/wecomEvents';

// WeCom's own sample code's vectors (WECOM.md).
const keys = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
};
const urlCheck = {
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
};
const echostr = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';

describe('WXBizMsgCrypt', () => {
  test('the official URL check vector opens to its plaintext', () => {
    expect(openMessage(keys, urlCheck, echostr)).toEqual({ ok: true, message: '1616140317555161061' });
  });

  test('the signature is compared whole, in any letter case, and one changed character refuses it', () => {
    expect(signatureMatches(keys.token, urlCheck, echostr)).toBe(true);
    expect(
      signatureMatches(
        keys.token,
        { ...urlCheck, msgSignature: urlCheck.msgSignature.toUpperCase() },
        echostr,
      ),
    ).toBe(true);
    const changed = `${urlCheck.msgSignature.slice(0, -1)}4`;
    expect(openMessage(keys, { ...urlCheck, msgSignature: changed }, echostr)).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(
      openMessage(keys, { ...urlCheck, msgSignature: urlCheck.msgSignature.slice(0, 20) }, echostr),
    ).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(openMessage(keys, { ...urlCheck, nonce: '263014781' }, echostr).ok).toBe(false);
    expect(openMessage({ ...keys, token: 'other' }, urlCheck, echostr).ok).toBe(false);
  });

  test('a message for another corp (receiveid) is refused even when signed with our token', () => {
    expect(openMessage({ ...keys, corpId: 'wwsomeoneelse0000' }, urlCheck, echostr)).toEqual({
      ok: false,
      reason: 'receiveid',
    });
    const foreign = encrypt(keys.encodingAesKey, '<xml></xml>', 'wx5823bf96d3bd56c8');
    const query = { timestamp: '1', nonce: '2', msgSignature: getSignature(keys.token, '1', '2', foreign) };
    expect(openMessage(keys, query, foreign)).toEqual({ ok: false, reason: 'receiveid' });
  });

  test('a signed but undecryptable body is refused, not thrown', () => {
    for (const garbage of ['', 'not base64 at all', Buffer.alloc(40).toString('base64')]) {
      const query = { timestamp: '1', nonce: '2', msgSignature: getSignature(keys.token, '1', '2', garbage) };
      expect(openMessage(keys, query, garbage)).toEqual({ ok: false, reason: expect.any(String) });
    }
  });

  test('what WeCom encrypts for us round-trips, Chinese included', () => {
    const xml = '<xml><State><![CDATA[顾问]]></State></xml>';
    const sealed = encrypt(keys.encodingAesKey, xml, keys.corpId);
    const query = {
      timestamp: '1700000000',
      nonce: '42',
      msgSignature: getSignature(keys.token, '1700000000', '42', sealed),
    };
    expect(openMessage(keys, query, sealed)).toEqual({ ok: true, message: xml });
  });
});

describe('the callback XML', () => {
  const add =
    '<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>' +
    '<CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType>' +
    '<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>' +
    '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[wmAAA]]></ExternalUserID>' +
    '<State><![CDATA[lpabcdefgh12]]></State><WelcomeCode><![CDATA[WELCOME]]></WelcomeCode></xml>';

  test('an add event reads into its facts', () => {
    expect(contactEventOf(parseFlatXml(add) ?? {})).toEqual({
      corpId: 'ww1',
      changeType: 'add_external_contact',
      createTime: 1403610513,
      userId: 'zhangsan',
      externalUserId: 'wmAAA',
      state: 'lpabcdefgh12',
      welcomeCode: 'WELCOME',
      source: null,
    });
  });

  test.each([
    ['not XML', 'hello'],
    ['unclosed', '<xml><A>1</A>'],
    ['nested', '<xml><A><B>1</B></A></xml>'],
    ['attributes', '<xml><A x="1">1</A></xml>'],
    ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY e "x">]><xml><A>&e;</A></xml>'],
    ['an unknown entity', '<xml><A>&e;</A></xml>'],
    ['a repeated element', '<xml><A>1</A><A>2</A></xml>'],
    ['stray text', '<xml>oops<A>1</A></xml>'],
  ])('%s is not WeCom XML', (_name, xml) => {
    expect(parseFlatXml(xml)).toBeNull();
  });

  test('text elements decode the five XML entities', () => {
    expect(parseFlatXml('<xml><A>a &lt;b&gt; &amp; &quot;c&quot;</A></xml>')).toEqual({ A: 'a <b> & "c"' });
  });

  test('an unknown change type or another event is not a contact event', () => {
    expect(
      contactEventOf(parseFlatXml(add.replace('add_external_contact', 'transfer_fail')) ?? {}),
    ).toBeNull();
    expect(
      contactEventOf(parseFlatXml(add.replace('change_external_contact', 'change_contact')) ?? {}),
    ).toBeNull();
    expect(
      contactEventOf(parseFlatXml(add.replace('<CreateTime>1403610513', '<CreateTime>soon')) ?? {}),
    ).toBeNull();
  });
});

describe('contact way state and corp tags', () => {
  test('our state fits WeCom 30 characters and is told from foreign ones', () => {
    const state = contactWayState('A1b2C3d4E5f6G7h8J9');
    expect(state.length).toBeLessThanOrEqual(30);
    expect(isOwnState(state)).toBe(true);
    for (const foreign of [null, '', 'poster-2024', 'lp', `lp${'a'.repeat(29)}`])
      expect(isOwnState(foreign)).toBe(false);
    expect(() => contactWayState('a'.repeat(29))).toThrow();
  });

  test('group:tag becomes a tag in its group; ungrouped tags share one group; repeats go', () => {
    expect(corpTagNames(['来源:门店', '兴趣:咖啡', '老客户', '来源:门店', '空:'])).toEqual([
      { group: '来源', name: '门店' },
      { group: '兴趣', name: '咖啡' },
      { group: '线索池', name: '老客户' },
    ]);
  });

  test('a lead retagged by the rules adds what is new and removes what went, by group and name', () => {
    expect(tagChanges([], ['来源:门店'])).toEqual({ add: ['来源:门店'], remove: [] });
    expect(tagChanges(['来源:门店', '兴趣:咖啡'], ['来源:门店', '兴趣:茶'])).toEqual({
      add: ['兴趣:茶'],
      remove: ['兴趣:咖啡'],
    });
    expect(tagChanges(['来源:门店'], ['来源: 门店'])).toEqual({ add: [], remove: [] });
    expect(tagChanges(['老客户'], [])).toEqual({ add: [], remove: ['老客户'] });
  });

  test('the reconciliation minute is 03:00 in China', () => {
    expect(isReconcileMinute(new Date('2026-12-02T19:00:30Z'))).toBe(true);
    expect(isReconcileMinute(new Date('2026-12-02T03:00:00Z'))).toBe(false);
    expect(isReconcileMinute(new Date('2026-12-02T19:01:00Z'))).toBe(false);
  });
});
