/**
 * The DirSync control (1.2.840.113556.1.4.841, MS-ADTS 3.1.1.3.4.1.3):
 * request { flags, maxBytes, cookie }, response { moreResults, unused, cookie }.
 * ldapts hands an unknown response control to the request control of the
 * same type, so this one instance carries the cookie back.
 */
import { Ber, BerWriter, Control, type BerReader } from 'ldapts';

export class DirSyncControl extends Control {
  static readonly type = '1.2.840.113556.1.4.841';
  cookie: Buffer;
  moreResults = false;

  constructor(cookie: Buffer = Buffer.alloc(0), readonly flags = 0, readonly maxBytes = 10 * 1024 * 1024) {
    super(DirSyncControl.type, { critical: true });
    this.cookie = cookie;
  }

  protected override writeControl(writer: BerWriter): void {
    const inner = new BerWriter();
    inner.startSequence();
    inner.writeInt(this.flags);
    inner.writeInt(this.maxBytes);
    if (this.cookie.length) inner.writeBuffer(this.cookie, Ber.OctetString);
    else inner.writeString('');
    inner.endSequence();
    writer.writeBuffer(inner.buffer, Ber.OctetString);
  }

  protected override parseControl(reader: BerReader): void {
    if (reader.readSequence() === null) return;
    this.moreResults = (reader.readInt() ?? 0) !== 0;
    reader.readInt();
    this.cookie = reader.readString(Ber.OctetString, true) ?? Buffer.alloc(0);
  }
}

/** Show deleted objects (1.2.840.113556.1.4.417): tombstones for the delta import. */
export class ShowDeletedControl extends Control {
  static readonly type = '1.2.840.113556.1.4.417';
  constructor() {
    super(ShowDeletedControl.type, { critical: true });
  }
}
