package docstore

import "github.com/cbec/cbec/pkg/broker"

// Keys of the CBEC_INVENTORY bucket. Each kind has its own prefix, so that a
// party code can never make one kind of key look like another.

// InventoryKey is the clearance state of the list of (ebpCode, orderNo).
func InventoryKey(ebpCode, orderNo string) string { return "inv." + broker.Key(ebpCode, orderNo) }

// PaymentIndexKey points from (ebpCode, orderNo) to the payment's document key.
func PaymentIndexKey(ebpCode, orderNo string) string { return "pay." + broker.Key(ebpCode, orderNo) }

// WaybillIndexKey points from a waybill to the inventory list that names it.
func WaybillIndexKey(logisticsCode, logisticsNo string) string {
	return "wb." + broker.Key(logisticsCode, logisticsNo)
}

// WaitingKey marks a declared list still waiting for its documents; the
// incomplete-declaration sweep lists these keys only.
func WaitingKey(stateKey string) string { return "waiting." + stateKey }

// WaitingFilter matches every WaitingKey.
const WaitingFilter = "waiting.>"
