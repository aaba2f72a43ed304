package ceb_test

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/cbec/cbec/pkg/ceb"
)

// A payment as a payment enterprise submits it to the HTTP API: the CEB
// element names as JSON keys, amounts as numbers or strings.
const paymentJSON = `{"PaymentHead": {
  "guid": "4CD5E2A1-7A3E-4F0B-9C55-2B1D6A8E0F01", "appType": "1", "appTime": "20250310093000", "appStatus": "2",
  "payCode": "1500000003", "payName": "示例支付科技有限公司", "payTransactionId": "PAY20250310000000000001",
  "orderNo": "ORDER-1", "ebpCode": "1500000001", "ebpName": "重庆示例跨境电商平台有限公司",
  "payerIdType": "1", "payerIdNumber": "130681196205023335", "payerName": "张三",
  "amountPaid": 626.23, "currency": "142", "payTime": "20250310092500"}}`

// ExampleDecodeJSON reads a JSON submission and checks it field by field;
// written back as JSON (amounts as strings, so that no client reads money
// as a float) it reads again to the same document.
func ExampleDecodeJSON() {
	docs, dups, err := ceb.DecodeJSON(ceb.CEB411, []byte(paymentJSON))
	if err != nil || dups != nil {
		fmt.Println(err, dups)
		return
	}
	p := docs[0].(*ceb.Payment)
	fmt.Println("sender:", p.SenderCode(), "key:", p.BusinessKey())
	fmt.Println("field errors:", ceb.ValidateDocument(p, "Payment[0]"))

	out, err := json.Marshal(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	amount, _ := json.Marshal(p.PaymentHead.AmountPaid)
	fmt.Println("amountPaid in JSON:", string(amount))
	again, _, err := ceb.DecodeJSON(ceb.CEB411, out)
	fmt.Println("round trip equal:", err == nil && reflect.DeepEqual(again[0], p))

	// A field the XSD bounds, given too long, is named by its path.
	p.PaymentHead.OrderNo = "ORDER-1-WITH-A-NUMBER-LONGER-THAN-THE-SIXTY-CHARACTERS-ALLOWED"
	for _, fe := range ceb.ValidateDocument(p, "Payment[0]") {
		fmt.Println("field error:", fe.Path, fe.Rule, fe.Param)
	}
	// Output:
	// sender: 1500000003 key: [1500000003 PAY20250310000000000001]
	// field errors: []
	// amountPaid in JSON: "626.23"
	// round trip equal: true
	// field error: Payment[0].PaymentHead.orderNo max 60
}

// ExampleEncodeXML writes a payment as the CEB411 message customs
// exchanges — the root in the CEB namespace, the business node, the
// transfer envelope — and reads it back to the same values.
func ExampleEncodeXML() {
	docs, _, err := ceb.DecodeJSON(ceb.CEB411, []byte(paymentJSON))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := ceb.NewMessage(ceb.CEB411, "6F1E0C2B-3D4A-4B5C-8D6E-7F8091A2B3C4", docs[0])
	m.BaseTransfer = &ceb.BaseTransfer{CopCode: "1500000003", CopName: "示例支付科技有限公司", DxpMode: "DXP", DxpId: "DXPENT0000000001"}
	xmlText, err := ceb.EncodeXML(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s", xmlText)

	back, err := ceb.DecodeXML(xmlText)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("read back:", back.Type, back.GUID, "valid:", len(ceb.Validate(back)) == 0,
		"same payment:", reflect.DeepEqual(back.Documents[0], docs[0]))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <CEB411Message xmlns="http://www.chinaport.gov.cn/ceb" guid="6F1E0C2B-3D4A-4B5C-8D6E-7F8091A2B3C4" version="1.0">
	//   <Payment>
	//     <PaymentHead>
	//       <guid>4CD5E2A1-7A3E-4F0B-9C55-2B1D6A8E0F01</guid>
	//       <appType>1</appType>
	//       <appTime>20250310093000</appTime>
	//       <appStatus>2</appStatus>
	//       <payCode>1500000003</payCode>
	//       <payName>示例支付科技有限公司</payName>
	//       <payTransactionId>PAY20250310000000000001</payTransactionId>
	//       <orderNo>ORDER-1</orderNo>
	//       <ebpCode>1500000001</ebpCode>
	//       <ebpName>重庆示例跨境电商平台有限公司</ebpName>
	//       <payerIdType>1</payerIdType>
	//       <payerIdNumber>130681196205023335</payerIdNumber>
	//       <payerName>张三</payerName>
	//       <amountPaid>626.23</amountPaid>
	//       <currency>142</currency>
	//       <payTime>20250310092500</payTime>
	//     </PaymentHead>
	//   </Payment>
	//   <BaseTransfer>
	//     <copCode>1500000003</copCode>
	//     <copName>示例支付科技有限公司</copName>
	//     <dxpMode>DXP</dxpMode>
	//     <dxpId>DXPENT0000000001</dxpId>
	//   </BaseTransfer>
	// </CEB411Message>
	// read back: CEB411 6F1E0C2B-3D4A-4B5C-8D6E-7F8091A2B3C4 valid: true same payment: true
}
